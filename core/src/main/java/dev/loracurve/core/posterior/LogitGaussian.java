package dev.loracurve.core.posterior;

import java.util.SplittableRandom;

/**
 * A Gaussian over one item's C logits, N(mean, covariance), and the class probabilities it
 * predicts: softmax of draws, averaged by the caller (Laplace's linearised predictive).
 *
 * @param mean       the logits (or log-probabilities) at θ_MAP
 * @param covariance C × C, positive semidefinite: often singular, since log-probabilities whose
 *                   gradients are weighted by p sum to zero (Σ_c p_c ∂ log p_c = 0)
 */
public record LogitGaussian(double[] mean, double[][] covariance) {
    /** {@code samples} draws of softmax(mean + L z), z standard normal, L L^T = covariance. */
    public double[][] softmaxSamples(int samples, SplittableRandom rng) {
        int c = mean.length;
        double[][] l = choleskySemidefinite(covariance);
        double[][] out = new double[samples][c];
        double[] z = new double[c];
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < c; j++) {
                z[j] = rng.nextGaussian();
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < c; a++) {
                double f = mean[a];
                for (int b = 0; b <= a; b++) {
                    f += l[a][b] * z[b];
                }
                out[s][a] = f;
                max = Math.max(max, f);
            }
            double sum = 0;
            for (int a = 0; a < c; a++) {
                out[s][a] = Math.exp(out[s][a] - max);
                sum += out[s][a];
            }
            for (int a = 0; a < c; a++) {
                out[s][a] /= sum;
            }
        }
        return out;
    }

    /**
     * Lower-triangular L with L Lᵀ = A for a positive semidefinite A: a pivot that rounding leaves
     * at or below zero (a direction A does not span) gets a zero column.
     */
    static double[][] choleskySemidefinite(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, a[i][i]);
        }
        for (int j = 0; j < n; j++) {
            double d = a[j][j];
            for (int k = 0; k < j; k++) {
                d -= l[j][k] * l[j][k];
            }
            if (d <= 1e-12 * scale) {
                continue; // column j stays zero
            }
            l[j][j] = Math.sqrt(d);
            for (int i = j + 1; i < n; i++) {
                double v = a[i][j];
                for (int k = 0; k < j; k++) {
                    v -= l[i][k] * l[j][k];
                }
                l[i][j] = v / l[j][j];
            }
        }
        return l;
    }
}
