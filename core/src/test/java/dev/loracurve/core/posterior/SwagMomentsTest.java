package dev.loracurve.core.posterior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.testing.RandomData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SWAG's moments against their definitions computed in double, and their round trips. */
class SwagMomentsTest {
    @TempDir
    Path dir;

    static final int SIZE = 7;
    static final int RANK = 3;
    final List<float[]> iterates = RandomData.points(5, SIZE, 1.0, 3);

    private SwagMoments collected() {
        SwagMoments s = new SwagMoments(SIZE, RANK);
        iterates.forEach(s::collect);
        return s;
    }

    @Test
    void thePosteriorIsHalfTheDiagonalVarianceAndTheLastDeviations() {
        int n = iterates.size();
        double[] mean = new double[SIZE];
        double[] sq = new double[SIZE];
        double[][] devs = new double[n][SIZE];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < SIZE; k++) {
                double x = iterates.get(i)[k];
                mean[k] += (x - mean[k]) / (i + 1); // the running mean after iterate i
                sq[k] += x * x;
                devs[i][k] = x - mean[k];
            }
        }
        GaussianPosterior g = collected().posterior();
        for (int k = 0; k < SIZE; k++) {
            double avg = 0;
            for (float[] it : iterates) {
                avg += it[k] / (double) n;
            }
            assertEquals(avg, g.mean()[k], 1e-6);
            assertEquals(0.5 * Math.max(sq[k] / n - avg * avg, 0), g.variance()[k], 1e-5);
        }
        // L Lᵀ = Σ over the last K deviations d dᵀ / (2 (K - 1)), whatever their order
        for (int a = 0; a < SIZE; a++) {
            for (int b = 0; b < SIZE; b++) {
                double want = 0;
                for (int i = n - RANK; i < n; i++) {
                    want += devs[i][a] * devs[i][b] / (2.0 * (RANK - 1));
                }
                double got = 0;
                for (float[] c : g.lowRank()) {
                    got += c[a] * c[b];
                }
                assertEquals(want, got, 1e-5, a + "," + b);
            }
        }
    }

    @Test
    void theCheckpointAndTheFileGiveTheSamePosterior() {
        SwagMoments s = collected();
        Map<String, float[]> vectors = new HashMap<>();
        s.saveTo(vectors);
        GaussianPosterior want = s.posterior();
        GaussianPosterior restored = SwagMoments.restore(vectors, SIZE, RANK).posterior();
        assertArrayEquals(want.mean(), restored.mean());
        assertArrayEquals(want.variance(), restored.variance());
        s.write(dir);
        GaussianPosterior read = SwagMoments.read(dir, SIZE);
        assertArrayEquals(want.mean(), read.mean());
        assertArrayEquals(want.variance(), read.variance());
        assertArrayEquals(want.sample(3, 1).get(2), read.sample(3, 1).get(2));
        assertEquals(0, SwagMoments.restore(Map.of(), SIZE, RANK).iterates(), "a checkpoint without SWAG");
    }

    @Test
    void aMissingOrForeignFileIsAClearError() throws Exception {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SwagMoments.read(dir, SIZE));
        assertTrue(none.getMessage().contains("trained without collecting SWAG moments"), none.getMessage());
        collected().write(dir);
        CheckpointException size = assertThrows(CheckpointException.class, () -> SwagMoments.read(dir, SIZE + 1));
        assertTrue(size.getMessage().contains("another size"), size.getMessage());
        Files.write(dir.resolve(SwagMoments.FILE), new byte[] {1, 2, 3});
        assertThrows(CheckpointException.class, () -> SwagMoments.read(dir, SIZE));
    }
}
