package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.eval.SampleScorer;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.tasks.Example;
import java.util.List;

/**
 * How cost grows: scoring forward (each row's last logits) and LoRA forward+backward tokens/s
 * against batch size and sequence length, and M adapters scored batched (as {@link SampleScorer}
 * groups them) against one pass per adapter.
 */
final class ScalingBench {
    private static final int[][] SHAPES = {{1, 128}, {4, 128}, {16, 128}, {1, 512}, {1, 2048}, {4, 512}};

    private ScalingBench() {}

    static void run(String name, Decoder d, NDManager m, int rank, Timing timing) {
        LoraLayout layout = new LoraLayout(d.config(), Workloads.lora(rank));
        NDArray theta = Tensors.of(m, layout.initialTheta(1));
        int vocab = d.config().vocabSize();
        System.out.printf("%s, scaling (tokens/s, medians):%n", name);
        System.out.printf("  %-16s %10s %10s%n", "batch x length", "scoring", "fwd+bwd");
        for (int[] bt : SHAPES) {
            TokenBatch b = Workloads.randomBatch(vocab, bt[0], bt[1]);
            double tokens = (double) bt[0] * bt[1];
            double fwd = timing.median(() -> Workloads.lastLogits(d, m, b));
            double train = timing.median(() -> Workloads.loraStep(d, m, layout, theta, b));
            System.out.printf("  %-16s %10.0f %10.0f%n", bt[0] + " x " + bt[1], tokens / fwd, tokens / train);
        }
        System.out.printf("  M adapters on 8 items, batched (samples per pass) against one pass each:%n");
        for (int len : new int[] {32, 128}) {
            List<Example> items = Workloads.classificationItems(vocab, 8, len);
            SampleScorer scorer = new SampleScorer(d, m, layout, 8);
            for (int mm : new int[] {1, 4, 16}) {
                List<float[]> thetas = Workloads.perturbedThetas(layout, mm);
                double batched = timing.median(() -> scorer.score(thetas, false, items, true, 0));
                double sequential = timing.median(() -> scorer.score(thetas, false, items, false, 0));
                double tokens = (double) mm * items.size() * len;
                System.out.printf(
                        "  M %2d, %3d tokens: batched %8.0f (%2d per pass), sequential %8.0f, ratio %.2f%n",
                        mm,
                        len,
                        tokens / batched,
                        scorer.samplesPerPass(mm, items),
                        tokens / sequential,
                        sequential / batched);
            }
        }
    }
}
