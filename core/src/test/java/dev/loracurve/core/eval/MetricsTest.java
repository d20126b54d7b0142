package dev.loracurve.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Metrics against values computed by hand. */
class MetricsTest {
    static final double[][] P = {{0.9, 0.1}, {0.4, 0.6}, {0.2, 0.5, 0.3}, {0.55, 0.45}};
    static final int[] Y = {0, 0, 1, 1};

    @Test
    void accuracyNllBrier() {
        assertEquals(0.5, Metrics.accuracy(P, Y), 1e-12); // right: items 0 and 2
        assertEquals(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.5) + Math.log(0.45)) / 4, Metrics.nll(P, Y), 1e-12);
        double brier = ((0.01 + 0.01) + (0.36 + 0.36) + (0.04 + 0.25 + 0.09) + (0.3025 + 0.3025)) / 4;
        assertEquals(brier, Metrics.brier(P, Y), 1e-12);
    }

    @Test
    void eceWithFifteenBins() {
        // confidences 0.9 (bin 14, right), 0.6 (bin 9, wrong), 0.5 (bin 7, right), 0.55 (bin 8, wrong)
        double ece = (Math.abs(1 - 0.9) + Math.abs(0 - 0.6) + Math.abs(1 - 0.5) + Math.abs(0 - 0.55)) / 4;
        assertEquals(ece, Metrics.ece(P, Y), 1e-12);
        // two items in one bin: |mean acc − mean conf| weighted by the bin's share
        double[][] q = {{0.95, 0.05}, {0.97, 0.03}};
        assertEquals(Math.abs(0.5 - 0.96), Metrics.ece(q, new int[] {0, 1}), 1e-12);
        double[][] rel = Metrics.reliability(q, new int[] {0, 1});
        assertArrayEquals(new double[] {2, 0.96, 0.5}, rel[14], 1e-12);
    }

    @Test
    void entropyAndMutualInformation() {
        assertEquals(Math.log(2), Metrics.entropy(new double[] {0.5, 0.5}), 1e-12);
        assertEquals(0, Metrics.entropy(new double[] {1, 0}), 1e-12);
        // two confident members that disagree: p̄ uniform, H(p̄) = ln 2, expected entropy 0, MI = ln 2
        double[][][] disagree = {{{1, 0}}, {{0, 1}}};
        assertArrayEquals(new double[] {Math.log(2), 0, Math.log(2)}, Metrics.uncertainty(disagree)[0], 1e-12);
        // identical members: MI = 0
        double[][][] agree = {{{0.3, 0.7}}, {{0.3, 0.7}}};
        assertEquals(0, Metrics.uncertainty(agree)[0][2], 1e-12);
        double[][][] mixed = {{{0.8, 0.2}}, {{0.4, 0.6}}};
        double h = Metrics.entropy(new double[] {0.6, 0.4});
        double e = (Metrics.entropy(new double[] {0.8, 0.2}) + Metrics.entropy(new double[] {0.4, 0.6})) / 2;
        assertEquals(h - e, Metrics.uncertainty(mixed)[0][2], 1e-12);
    }

    @Test
    void aurocCountsPairsAndHalfTies() {
        assertEquals(
                1.0, Metrics.auroc(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true}), 1e-12);
        assertEquals(
                0.0, Metrics.auroc(new double[] {0.9, 0.8, 0.1, 0.2}, new boolean[] {false, false, true, true}), 1e-12);
        // pairs (pos, neg): (0.5, 0.1) win, (0.5, 0.5) tie, (0.3, 0.1) win, (0.3, 0.5) loss → (2 + 0.5) / 4
        assertEquals(
                0.625,
                Metrics.auroc(new double[] {0.1, 0.5, 0.5, 0.3}, new boolean[] {false, false, true, true}),
                1e-12);
        assertTrue(Double.isNaN(Metrics.auroc(new double[] {1, 2}, new boolean[] {true, true})));
    }
}
