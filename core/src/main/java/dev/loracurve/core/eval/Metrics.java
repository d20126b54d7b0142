package dev.loracurve.core.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Metrics of predictive distributions. {@code probs[i]} is item i's distribution over its classes
 * (rows may differ in length); {@code samples[m][i]} the distribution of sample m (a curve point,
 * an ensemble member, a dropout mask) whose average is the predictive distribution.
 */
public final class Metrics {
    /** Equal-width confidence bins of the ECE, as in the Bayesian-LoRA literature. */
    public static final int ECE_BINS = 15;

    private Metrics() {}

    public static int argmax(double[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Fraction of items whose most probable class is the label (ties: lowest index). */
    public static double accuracy(double[][] probs, int[] labels) {
        int right = 0;
        for (int i = 0; i < probs.length; i++) {
            right += argmax(probs[i]) == labels[i] ? 1 : 0;
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

    /**
     * Top-label expected calibration error, L1, 15 equal-width bins of confidence (0, 1]: Σ_b
     * (n_b / N) |acc_b − conf_b|, a fraction (reports show ×100). Confidence 0 falls in the first bin.
     */
    public static double ece(double[][] probs, int[] labels) {
        double ece = 0;
        for (double[] bin : reliability(probs, labels)) {
            ece += bin[0] / probs.length * Math.abs(bin[2] - bin[1]);
        }
        return ece;
    }

    /** Per-bin {count, mean confidence, accuracy} of the reliability diagram. */
    public static double[][] reliability(double[][] probs, int[] labels) {
        double[][] out = new double[ECE_BINS][3];
        for (int i = 0; i < probs.length; i++) {
            int pred = argmax(probs[i]);
            double c = probs[i][pred];
            int bin = Math.min(ECE_BINS - 1, Math.max(0, (int) Math.ceil(c * ECE_BINS) - 1));
            out[bin][0]++;
            out[bin][1] += c;
            out[bin][2] += pred == labels[i] ? 1 : 0;
        }
        for (double[] b : out) {
            if (b[0] > 0) {
                b[1] /= b[0];
                b[2] /= b[0];
            }
        }
        return out;
    }

    /** Brier score: mean over items of Σ_c (p_c − 1[y = c])². */
    public static double brier(double[][] probs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            for (int c = 0; c < probs[i].length; c++) {
                double d = probs[i][c] - (c == labels[i] ? 1 : 0);
                sum += d * d;
            }
        }
        return sum / probs.length;
    }

    /** Shannon entropy, nats (0 log 0 = 0). */
    public static double entropy(double[] p) {
        double h = 0;
        for (double x : p) {
            if (x > 0) {
                h -= x * Math.log(x);
            }
        }
        return h;
    }

    /** p̄ = mean over samples, per item. */
    public static double[][] average(double[][][] samples) {
        int n = samples[0].length;
        double[][] mean = new double[n][];
        for (int i = 0; i < n; i++) {
            mean[i] = new double[samples[0][i].length];
            for (double[][] s : samples) {
                for (int c = 0; c < mean[i].length; c++) {
                    mean[i][c] += s[i][c] / samples.length;
                }
            }
        }
        return mean;
    }

    /** Per item: {H(p̄), mean_m H(p_m), MI = H(p̄) − mean_m H(p_m)}. */
    public static double[][] uncertainty(double[][][] samples) {
        double[][] mean = average(samples);
        double[][] out = new double[mean.length][3];
        for (int i = 0; i < mean.length; i++) {
            double expected = 0;
            for (double[][] s : samples) {
                expected += entropy(s[i]) / samples.length;
            }
            out[i][0] = entropy(mean[i]);
            out[i][1] = expected;
            out[i][2] = Math.max(0, out[i][0] - expected); // ≥ 0 by concavity; clamp round-off
        }
        return out;
    }

    /**
     * Area under the ROC curve of {@code score} for telling positives from negatives: the
     * probability that a random positive scores above a random negative, ties counting one half
     * (Mann–Whitney U over average ranks). NaN when a class is empty.
     */
    public static double auroc(double[] score, boolean[] positive) {
        int n = score.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> score[i]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1; // 1-based average rank of the tie group
            for (int k = i; k <= j; k++) {
                rank[idx[k]] = avg;
            }
            i = j + 1;
        }
        long pos = 0;
        double rankSum = 0;
        for (int i = 0; i < n; i++) {
            if (positive[i]) {
                pos++;
                rankSum += rank[i];
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
