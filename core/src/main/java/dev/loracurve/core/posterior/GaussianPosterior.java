package dev.loracurve.core.posterior;

import dev.loracurve.core.train.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A Gaussian over θ with diagonal plus low-rank covariance, Σ = diag(variance) + L Lᵀ: SWAG's
 * (½ diag(σ²) + D Dᵀ / (2(K − 1))), or a diagonal one (L empty).
 *
 * @param mean     θ̄
 * @param variance the diagonal part, per coordinate
 * @param lowRank  the columns of L, each of θ's length (none for a diagonal posterior)
 */
public record GaussianPosterior(float[] mean, float[] variance, List<float[]> lowRank) {
    public GaussianPosterior {
        if (variance.length != mean.length) {
            throw new IllegalArgumentException(
                    "variance has " + variance.length + " coordinates, mean has " + mean.length);
        }
        for (float[] column : lowRank) {
            if (column.length != mean.length) {
                throw new IllegalArgumentException("a low-rank column has " + column.length + " coordinates");
            }
        }
        lowRank = List.copyOf(lowRank);
    }

    /** θ = θ̄ + diag(√variance) z + L z' with z, z' standard normal: {@code m} draws, a function of {@code seed}. */
    public List<float[]> sample(int m, long seed) {
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < m; s++) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, s));
            float[] theta = new float[mean.length];
            for (int k = 0; k < theta.length; k++) {
                theta[k] = (float) (mean[k] + Math.sqrt(variance[k]) * rng.nextGaussian());
            }
            for (float[] column : lowRank) {
                double z = rng.nextGaussian();
                for (int k = 0; k < theta.length; k++) {
                    theta[k] += (float) (z * column[k]);
                }
            }
            out.add(theta);
        }
        return out;
    }
}
