package dev.loracurve.core.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * The metrics of one method (MAP, ensemble, a curve, …) from its samples' probabilities: those of
 * the average p̄ (accuracy, NLL, ECE, Brier, entropies, mutual information), the AUROCs of MI and
 * of predictive entropy for telling wrong answers from right ones and in-distribution items from
 * out-of-distribution ones, and per sample the metrics of each point (curve methods).
 */
public final class MethodReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MethodReport() {}

    /**
     * @param samples    probs[m][i][c] on the in-distribution items
     * @param labels     labels of those items
     * @param ts         the t of each sample (curve methods), or null
     */
    public static ObjectNode of(double[][][] samples, int[] labels, double[] ts) {
        double[][] mean = Metrics.average(samples);
        double[][] unc = Metrics.uncertainty(samples);
        int n = labels.length;
        ObjectNode r = JSON.createObjectNode();
        r.put("samples", samples.length);
        r.put("items", n);
        r.put("accuracy", Metrics.accuracy(mean, labels));
        r.put("nll", Metrics.nll(mean, labels));
        r.put("ece", Metrics.ece(mean, labels));
        r.put("brier", Metrics.brier(mean, labels));
        double[] entropy = column(unc, 0);
        double[] mi = column(unc, 2);
        r.put("entropy", avg(entropy));
        r.put("expected_entropy", avg(column(unc, 1)));
        r.put("mutual_information", avg(mi));
        boolean[] wrong = new boolean[n];
        for (int i = 0; i < n; i++) {
            wrong[i] = Metrics.argmax(mean[i]) != labels[i];
        }
        r.put("auroc_error_mi", Metrics.auroc(mi, wrong));
        r.put("auroc_error_entropy", Metrics.auroc(entropy, wrong));
        ArrayNode rel = r.putArray("reliability");
        for (double[] b : Metrics.reliability(mean, labels)) {
            rel.addArray().add(b[0]).add(b[1]).add(b[2]);
        }
        if (samples.length > 1) {
            ArrayNode perT = r.putArray("per_t");
            for (int s = 0; s < samples.length; s++) {
                ObjectNode p = perT.addObject();
                if (ts != null) {
                    p.put("t", ts[s]);
                }
                p.put("accuracy", Metrics.accuracy(samples[s], labels));
                p.put("nll", Metrics.nll(samples[s], labels));
                p.put("ece", Metrics.ece(samples[s], labels));
                p.put(
                        "entropy",
                        avg(Arrays.stream(samples[s])
                                .mapToDouble(Metrics::entropy)
                                .toArray()));
                // MI = mean over samples of E_x KL(p_m || p̄): this sample's share
                double kl = 0;
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < mean[i].length; c++) {
                        double q = samples[s][i][c];
                        if (q > 0) {
                            kl += q * Math.log(q / mean[i][c]) / n;
                        }
                    }
                }
                p.put("kl_to_mean", kl);
            }
        }
        return r;
    }

    /**
     * One OOD set's section: its mean MI and entropy, the AUROCs of MI and entropy for telling its
     * items from the in-distribution ones, and accuracy and ECE where its items have answers.
     *
     * @param samples   probs[m][i][c] on the in-distribution items
     * @param ood       probs[m][j][c] on the OOD items
     * @param oodLabels their answers, or {@link dev.loracurve.core.tasks.Item#NO_LABEL} each (in-template)
     */
    public static ObjectNode ood(double[][][] samples, double[][][] ood, int[] oodLabels) {
        double[][] unc = Metrics.uncertainty(samples);
        double[][] oodUnc = Metrics.uncertainty(ood);
        int n = unc.length;
        double[] allMi = concat(column(unc, 2), column(oodUnc, 2));
        double[] allH = concat(column(unc, 0), column(oodUnc, 0));
        boolean[] isOod = new boolean[allMi.length];
        Arrays.fill(isOod, n, isOod.length, true);
        ObjectNode o = JSON.createObjectNode();
        o.put("items", ood[0].length);
        o.put("auroc_mi", Metrics.auroc(allMi, isOod));
        o.put("auroc_entropy", Metrics.auroc(allH, isOod));
        o.put("mutual_information", avg(column(oodUnc, 2)));
        o.put("entropy", avg(column(oodUnc, 0)));
        if (Arrays.stream(oodLabels).allMatch(y -> y >= 0)) {
            double[][] mean = Metrics.average(ood);
            o.put("accuracy", Metrics.accuracy(mean, oodLabels));
            o.put("ece", Metrics.ece(mean, oodLabels));
        }
        return o;
    }

    private static double[] column(double[][] m, int c) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i][c];
        }
        return out;
    }

    private static double avg(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
