package dev.loracurve.core.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.BatchedLora;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Class probabilities of M samples (LoRA points θ_m, with or without dropout) on N examples:
 * {@code probs[m][i][c]}. Batched: each chunk of examples runs once for all M samples, with
 * per-sample LoRA in batched matmuls ({@link BatchedLora}); sequential: one pass per sample.
 * Both give the same probabilities (up to float rounding); batched is the default.
 */
public final class SampleScorer {
    private final Decoder decoder;
    private final NDManager manager;
    private final LoraLayout layout;
    private final int batchSize;

    /** @param batchSize examples per chunk (a batched chunk holds M × batchSize rows) */
    public SampleScorer(Decoder decoder, NDManager manager, LoraLayout layout, int batchSize) {
        this.decoder = decoder;
        this.manager = manager;
        this.layout = layout;
        this.batchSize = batchSize;
    }

    /**
     * @param dropout LoRA dropout on (MC dropout); masks come from libtorch's generator, seeded with {@code seed}
     */
    public double[][][] score(
            List<float[]> thetas, boolean dropout, List<Example> examples, boolean batched, long seed) {
        Engines.seed(seed);
        int m = thetas.size();
        double[][][] out = new double[m][examples.size()][];
        if (!batched) {
            for (int s = 0; s < m; s++) {
                try (NDManager local = manager.newSubManager()) {
                    FlatLora lora = new FlatLora(layout, Tensors.of(local, thetas.get(s)), dropout);
                    out[s] = ChoiceScorer.predict(decoder, local, examples, lora, batchSize);
                }
            }
            return out;
        }
        try (NDManager local = manager.newSubManager()) {
            float[] flat = new float[m * layout.intSize()];
            for (int s = 0; s < m; s++) {
                System.arraycopy(thetas.get(s), 0, flat, s * layout.intSize(), layout.intSize());
            }
            BatchedLora lora = new BatchedLora(layout, Tensors.of(local, flat, new Shape(m, layout.size())), dropout);
            for (int from = 0; from < examples.size(); from += batchSize) {
                List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + batchSize));
                List<Example> repeated = new ArrayList<>(m * chunk.size());
                for (int s = 0; s < m; s++) {
                    repeated.addAll(chunk); // sample-major: rows s·B + b
                }
                try (NDManager step = local.newSubManager()) {
                    double[][] p = ChoiceScorer.probabilities(decoder, step, repeated, lora); // row s·B + b
                    for (int s = 0; s < m; s++) {
                        System.arraycopy(p, s * chunk.size(), out[s], from, chunk.size());
                    }
                }
            }
        }
        return out;
    }

    /**
     * The mean NLL and accuracy of each of many points on labelled items, {@code perPass} points per
     * batched pass (a loss profile or plane has far more points than one pass holds):
     * {@code [point]{nll, accuracy}}. {@code done} hears how many points are scored.
     */
    public double[][] lossAndAccuracy(List<float[]> points, List<Example> items, int perPass, IntConsumer done) {
        int[] labels = items.stream().mapToInt(Example::label).toArray();
        double[][] out = new double[points.size()][];
        for (int from = 0; from < points.size(); from += perPass) {
            int to = Math.min(points.size(), from + perPass);
            double[][][] probs = score(points.subList(from, to), false, items, true, 0);
            for (int i = from; i < to; i++) {
                out[i] = new double[] {Metrics.nll(probs[i - from], labels), Metrics.accuracy(probs[i - from], labels)};
            }
            done.accept(to);
        }
        return out;
    }

    /** M copies of one θ: MC dropout's samples. */
    public static List<float[]> copies(float[] theta, int m) {
        return Collections.nCopies(m, theta);
    }
}
