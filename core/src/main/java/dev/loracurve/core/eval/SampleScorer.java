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
import java.util.Collections;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Class probabilities of M samples (LoRA points θ_m, with or without dropout) on N examples:
 * {@code probs[m][i][c]}. Batched: each chunk of examples runs once for a group of samples, with
 * per-sample LoRA in batched matmuls ({@link BatchedLora}); sequential: one pass per sample.
 * Both give the same probabilities (up to float rounding); batched is the default.
 *
 * <p>A batched pass holds at most {@link #TOKENS_PER_PASS} tokens (samples × items × length): short
 * items run all M samples in one pass (fewer, larger matmuls), long ones in groups of samples,
 * down to one pass per sample, because a pass much larger than that is slower per token (its
 * activations and attention scores no longer stay in cache; measured by {@code loracurve bench}).
 */
public final class SampleScorer {
    /** Tokens per batched pass; see the class comment. */
    static final int TOKENS_PER_PASS = 2048;

    private final Decoder decoder;
    private final NDManager manager;
    private final LoraLayout layout;
    private final int batchSize;

    /** @param batchSize examples per chunk (a batched chunk holds up to M × batchSize rows) */
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
        int group = batched ? samplesPerPass(m, examples) : 1;
        for (int first = 0; first < m; first += group) {
            List<float[]> some = thetas.subList(first, Math.min(m, first + group));
            try (NDManager local = manager.newSubManager()) {
                if (some.size() == 1) {
                    FlatLora lora = new FlatLora(layout, Tensors.of(local, some.get(0)), dropout);
                    out[first] = ChoiceScorer.predict(decoder, local, examples, lora, batchSize);
                } else {
                    scoreTogether(local, some, dropout, examples, out, first);
                }
            }
        }
        return out;
    }

    /** How many samples share a pass: as many as {@link #TOKENS_PER_PASS} holds with a full chunk. */
    public int samplesPerPass(int m, List<Example> examples) {
        int longest = examples.stream().mapToInt(Example::packedLength).max().orElse(1);
        long perSample = (long) Math.min(batchSize, examples.size()) * longest;
        return (int) Math.max(1, Math.min(m, TOKENS_PER_PASS / Math.max(1, perSample)));
    }

    /** Samples {@code thetas} (out[first..]) in batched passes, each chunk of items once for all. */
    private void scoreTogether(
            NDManager local,
            List<float[]> thetas,
            boolean dropout,
            List<Example> examples,
            double[][][] out,
            int first) {
        int m = thetas.size();
        BatchedLora lora = new BatchedLora(
                layout, Tensors.of(local, BatchedLora.stack(thetas), new Shape(m, layout.size())), dropout);
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + batchSize));
            try (NDManager step = local.newSubManager()) {
                double[][] p =
                        ChoiceScorer.probabilities(decoder, step, BatchedLora.perSample(chunk, m), lora); // row s·B + b
                for (int s = 0; s < m; s++) {
                    System.arraycopy(p, s * chunk.size(), out[first + s], from, chunk.size());
                }
            }
        }
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
