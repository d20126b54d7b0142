package dev.loracurve.core.curve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.testing.RandomData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cosine term against closed forms and its gradient against central differences. */
class DiversityTest {
    @Test
    void cosineSquaredOfOrthogonalAndParallelPoints() {
        float[][] orthogonal = {{1, 0, 0}, {0, 2, 0}, {0, 0, 3}};
        assertEquals(0, Diversity.cosineSquared(orthogonal, 1, new float[3][3]), 1e-12);
        float[][] parallel = {{1, 2, 3}, {-2, -4, -6}};
        assertEquals(1, Diversity.cosineSquared(parallel, 1, new float[2][3]), 1e-12);
        float[][] half = {{1, 0}, {1, 1}}; // cos 45° = 1/√2
        assertEquals(0.5, Diversity.cosineSquared(half, 1, new float[2][2]), 1e-7);
        assertEquals(Diversity.Kind.COSINE, Diversity.Kind.parse("cosine"));
        assertThrows(InvalidConfigException.class, () -> Diversity.Kind.parse("l2"));
    }

    @Test
    void itsGradientMatchesCentralDifferences() {
        List<float[]> points = RandomData.points(3, 6, 1.0, 11);
        float[][] thetas = points.toArray(new float[0][]);
        double weight = 0.7;
        float[][] grads = new float[3][6];
        Diversity.cosineSquared(thetas, weight, grads);
        double h = 1e-3;
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 6; k++) {
                float[][] plus = copy(thetas);
                float[][] minus = copy(thetas);
                plus[i][k] += (float) h;
                minus[i][k] -= (float) h;
                double fd = weight
                        * (Diversity.cosineSquared(plus, 1, new float[3][6])
                                - Diversity.cosineSquared(minus, 1, new float[3][6]))
                        / ((double) plus[i][k] - minus[i][k]);
                assertEquals(fd, grads[i][k], 1e-3 * Math.max(1, Math.abs(fd)), "θ_" + i + "[" + k + "]");
            }
        }
    }

    private static float[][] copy(float[][] a) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
