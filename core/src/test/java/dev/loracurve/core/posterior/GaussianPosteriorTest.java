package dev.loracurve.core.posterior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Draws against the closed form: their mean and covariance tend to θ̄ and diag(variance) + L Lᵀ. */
class GaussianPosteriorTest {
    @Test
    void drawsHaveTheMeanAndCovarianceOfDiagonalPlusLowRank() {
        float[] mean = {1f, -2f, 0.5f};
        float[] variance = {0.5f, 2f, 0.1f};
        float[] column = {1f, -1f, 0.5f};
        GaussianPosterior g = new GaussianPosterior(mean, variance, List.of(column));
        int n = 200_000;
        List<float[]> draws = g.sample(n, 42);
        double[] mu = new double[3];
        for (float[] d : draws) {
            for (int k = 0; k < 3; k++) {
                mu[k] += d[k] / (double) n;
            }
        }
        double[][] cov = new double[3][3];
        for (float[] d : draws) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    cov[i][j] += (d[i] - mu[i]) * (d[j] - mu[j]) / (n - 1);
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(mean[i], mu[i], 0.01, "mean " + i); // 5 standard errors
            for (int j = 0; j < 3; j++) {
                double want = (i == j ? variance[i] : 0) + column[i] * column[j];
                assertEquals(want, cov[i][j], 0.03, "cov " + i + "," + j);
            }
        }
        assertArrayEquals(draws.get(7), g.sample(8, 42).get(7), "a function of the seed");
    }

    @Test
    void shapesMustAgree() {
        assertThrows(
                IllegalArgumentException.class, () -> new GaussianPosterior(new float[2], new float[3], List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GaussianPosterior(new float[2], new float[2], List.of(new float[1])));
    }
}
