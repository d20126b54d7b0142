package dev.loracurve.core.eval;

/**
 * Temperature scaling (Guo et al., 2017) on choice probabilities: p_T(c) ∝ p(c)^(1/T), T fitted
 * by minimising the NLL of held-out items. With β = 1/T the NLL is convex in β, so a golden-section
 * search over log β finds its minimum; p^β needs only the model's probabilities, which is all the
 * scorer keeps (log p equals the choice logits up to a constant per item).
 */
public final class Temperature {
    private Temperature() {}

    /** Smallest and largest temperature searched: far outside what a trained model needs. */
    static final double MIN_T = 1e-2;

    static final double MAX_T = 1e2;

    private static final double FLOOR = 1e-300; // log 0 would make every β infinitely bad

    /** The temperature minimising the NLL of {@code probs} (items × choices) for {@code labels}. */
    public static double fit(double[][] probs, int[] labels) {
        if (probs.length == 0) {
            throw new IllegalArgumentException("temperature scaling needs items to fit on");
        }
        double lo = Math.log(1 / MAX_T);
        double hi = Math.log(1 / MIN_T);
        double golden = (Math.sqrt(5) - 1) / 2;
        double a = hi - golden * (hi - lo);
        double b = lo + golden * (hi - lo);
        double fa = nll(probs, labels, Math.exp(a));
        double fb = nll(probs, labels, Math.exp(b));
        for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
            if (fa < fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - golden * (hi - lo);
                fa = nll(probs, labels, Math.exp(a));
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + golden * (hi - lo);
                fb = nll(probs, labels, Math.exp(b));
            }
        }
        return 1 / Math.exp((lo + hi) / 2);
    }

    /** Mean NLL of the items at inverse temperature β. */
    static double nll(double[][] probs, int[] labels, double beta) {
        double total = 0;
        for (int i = 0; i < probs.length; i++) {
            double[] logits = scaledLogits(probs[i], beta);
            total += logSumExp(logits) - logits[labels[i]];
        }
        return total / probs.length;
    }

    /** Every sample's {@code probs[m]} at temperature {@code t}. */
    public static double[][][] apply(double[][][] samples, double t) {
        double[][][] out = new double[samples.length][][];
        for (int m = 0; m < samples.length; m++) {
            out[m] = apply(samples[m], t);
        }
        return out;
    }

    /** {@code probs} at temperature {@code t}: each row's p^(1/t), normalised. */
    public static double[][] apply(double[][] probs, double t) {
        double[][] out = new double[probs.length][];
        for (int i = 0; i < probs.length; i++) {
            double[] logits = scaledLogits(probs[i], 1 / t);
            double z = logSumExp(logits);
            out[i] = new double[logits.length];
            for (int c = 0; c < logits.length; c++) {
                out[i][c] = Math.exp(logits[c] - z);
            }
        }
        return out;
    }

    private static double[] scaledLogits(double[] p, double beta) {
        double[] z = new double[p.length];
        for (int c = 0; c < p.length; c++) {
            z[c] = beta * Math.log(Math.max(p[c], FLOOR));
        }
        return z;
    }

    private static double logSumExp(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : z) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (double x : z) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }
}
