package dev.loracurve.core.train;

/**
 * AdamW (Loshchilov & Hutter) on a flat float vector, in Java: deterministic, and its state is
 * three arrays that checkpoint as they are. Moments in float, as torch keeps them for F32 params.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    final float[] m;
    final float[] v;
    int t;

    public AdamW(int size, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[size];
        this.v = new float[size];
    }

    /** Restores the moments and the step count from a checkpoint. */
    public void restore(float[] m, float[] v, int t) {
        System.arraycopy(m, 0, this.m, 0, this.m.length);
        System.arraycopy(v, 0, this.v, 0, this.v.length);
        this.t = t;
    }

    public float[] firstMoment() {
        return m;
    }

    public float[] secondMoment() {
        return v;
    }

    /** One update of {@code theta} in place with gradient {@code g}. */
    public void step(float[] theta, float[] g, double lr) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < theta.length; i++) {
            m[i] = (float) (beta1 * m[i] + (1 - beta1) * g[i]);
            v[i] = (float) (beta2 * v[i] + (1 - beta2) * g[i] * g[i]);
            double update = (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
            theta[i] = (float) (theta[i] - lr * (update + weightDecay * theta[i]));
        }
    }

    /** The global L2 norm of one or more vectors, accumulated in double. */
    public static double norm(float[]... vectors) {
        double sq = 0;
        for (float[] v : vectors) {
            for (float x : v) {
                sq += (double) x * x;
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * Scales the vectors together so that their global L2 norm is at most maxNorm (0 = no
     * clipping); returns the norm before clipping.
     */
    public static double clip(double maxNorm, float[]... grads) {
        double norm = norm(grads);
        if (maxNorm > 0 && norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            for (float[] g : grads) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= s;
                }
            }
        }
        return norm;
    }
}
