package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.LanguageModelLoss;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.tasks.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** What the benchmarks run: seeded random inputs, and the two passes every figure is made of. */
final class Workloads {
    private Workloads() {}

    /** LoRA of rank r (alpha 2r) on all seven projections, without dropout. */
    static LoraConfig lora(int rank) {
        return LoraConfig.builder().rank(rank).alpha(2 * rank).dropout(0).build();
    }

    /** {@code batchSize} sequences of {@code t} random token ids. */
    static TokenBatch randomBatch(int vocab, int batchSize, int t) {
        SplittableRandom rng = new SplittableRandom(42);
        List<long[]> seqs = new ArrayList<>();
        for (int b = 0; b < batchSize; b++) {
            long[] ids = new long[t];
            for (int i = 0; i < t; i++) {
                ids[i] = rng.nextInt(vocab);
            }
            seqs.add(ids);
        }
        return TokenBatch.of(seqs);
    }

    /** Items of {@code len} random tokens with two single-token choices. */
    static List<Example> classificationItems(int vocab, int n, int len) {
        SplittableRandom rng = new SplittableRandom(4);
        List<Example> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(new Example(
                    "s" + i, rng.longs(len, 3, vocab).toArray(), new long[][] {{3}, {4}}, rng.nextInt(2), false));
        }
        return items;
    }

    /** Items shaped like TREC's: a 24-token prompt and 6 choices of 1-3 tokens with distinct first tokens. */
    static List<Example> trecShapedItems(int vocab, int n) {
        SplittableRandom rng = new SplittableRandom(3);
        List<Example> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] prefix = rng.longs(24, 3, vocab).toArray();
            long[][] cont = new long[6][];
            for (int c = 0; c < 6; c++) {
                cont[c] = rng.longs(1 + c % 3, 3, vocab).toArray();
                cont[c][0] = 3 + c;
            }
            items.add(new Example("b" + i, prefix, cont, rng.nextInt(6), false));
        }
        return items;
    }

    /** M initial θ with B ≠ 0 (the adapters matter). */
    static List<float[]> perturbedThetas(LoraLayout layout, int m) {
        SplittableRandom rng = new SplittableRandom(5);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            float[] th = layout.initialTheta(10 + i);
            for (int k = 0; k < th.length; k++) {
                th[k] += (float) (0.01 * rng.nextGaussian());
            }
            out.add(th);
        }
        return out;
    }

    /** LoRA forward+backward of the mean next-token loss, the gradient read back. */
    static void loraStep(Decoder d, NDManager m, LoraLayout layout, NDArray theta, TokenBatch batch) {
        try (NDManager step = m.newSubManager();
                GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray th = theta.duplicate();
            th.attach(step);
            th.setRequiresGradient(true);
            NDArray logits = d.logits(d.hidden(batch.idsArray(step), batch, new FlatLora(layout, th, false)));
            gc.backward(LanguageModelLoss.meanNextTokenNll(logits, batch));
            th.getGradient().getFloat(0);
        }
    }

    /** The last position's vocabulary logits of every sequence, read back. */
    static void lastLogits(Decoder d, NDManager m, TokenBatch b) {
        try (NDManager step = m.newSubManager()) {
            NDArray hidden = d.hidden(b.idsArray(step), b, LoraDelta.NONE); // (B, T, H)
            long t = hidden.getShape().get(1);
            NDArray last = hidden.get(new NDIndex(":, {}, :", t - 1)); // (B, H)
            d.logits(last).getFloat(0, 0);
        }
    }
}
