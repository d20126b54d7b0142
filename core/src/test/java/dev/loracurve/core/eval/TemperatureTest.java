package dev.loracurve.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Temperature scaling against closed forms: identity at T = 1, the NLL's stationarity, a known sharpening undone. */
class TemperatureTest {
    @Test
    void temperatureOneChangesNothingAndRowsStayDistributions() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.25, 0.25, 0.5}};
        double[][] same = Temperature.apply(p, 1);
        for (int i = 0; i < p.length; i++) {
            assertArrayEquals(p[i], same[i], 1e-15);
        }
        double[][] hot = Temperature.apply(p, 4);
        assertEquals(1, hot[0][0] + hot[0][1] + hot[0][2], 1e-15);
        // closed form: p^(1/4) normalised
        double z = Math.pow(0.7, 0.25) + Math.pow(0.2, 0.25) + Math.pow(0.1, 0.25);
        assertEquals(Math.pow(0.7, 0.25) / z, hot[0][0], 1e-15);
    }

    @Test
    void theFittedTemperatureIsWhereTheNllStopsFalling() {
        SplittableRandom rng = new SplittableRandom(3);
        double[][] p = new double[400][];
        int[] labels = new int[400];
        for (int i = 0; i < p.length; i++) {
            p[i] = softmax(
                    rng.nextGaussian() * 3, rng.nextGaussian() * 3, rng.nextGaussian() * 3, rng.nextGaussian() * 3);
            labels[i] = rng.nextInt(4);
        }
        double t = Temperature.fit(p, labels);
        double beta = 1 / t;
        double h = 1e-5;
        // dNLL/dβ by central differences is zero at the minimum, and the NLL is higher on both sides
        double slope = (Temperature.nll(p, labels, beta + h) - Temperature.nll(p, labels, beta - h)) / (2 * h);
        assertEquals(0, slope, 1e-6);
        assertTrue(Temperature.nll(p, labels, beta * 1.05) > Temperature.nll(p, labels, beta));
        assertTrue(Temperature.nll(p, labels, beta / 1.05) > Temperature.nll(p, labels, beta));
    }

    @Test
    void aModelSharpenedThreeTimesIsFittedBackToTemperatureThree() {
        // labels drawn from a calibrated model q; the scored model reports q^3 normalised (overconfident)
        SplittableRandom rng = new SplittableRandom(7);
        int n = 20_000;
        double[][] sharp = new double[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double[] q = softmax(rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian());
            double u = rng.nextDouble();
            labels[i] = u < q[0] ? 0 : u < q[0] + q[1] ? 1 : 2;
            sharp[i] = Temperature.apply(new double[][] {q}, 1.0 / 3)[0];
        }
        assertEquals(3, Temperature.fit(sharp, labels), 0.15);
    }

    private static double[] softmax(double... z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : z) {
            max = Math.max(max, x);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= sum;
        }
        return p;
    }
}
