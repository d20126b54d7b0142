package dev.loracurve.core.eval;

/** Classification metrics of predictive probabilities (rows: items, columns: classes). */
public final class Metrics {
    private Metrics() {}

    /** Fraction of items whose most probable class is the label (ties: lowest index). */
    public static double accuracy(double[][] probs, int[] labels) {
        int right = 0;
        for (int i = 0; i < probs.length; i++) {
            int best = 0;
            for (int c = 1; c < probs[i].length; c++) {
                if (probs[i][c] > probs[i][best]) {
                    best = c;
                }
            }
            right += best == labels[i] ? 1 : 0;
        }
        return (double) right / probs.length;
    }

    /** Mean negative log-likelihood of the labels, nats. */
    public static double nll(double[][] probs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            sum -= Math.log(Math.max(probs[i][labels[i]], 1e-300));
        }
        return sum / probs.length;
    }
}
