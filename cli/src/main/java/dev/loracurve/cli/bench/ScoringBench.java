package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.eval.SampleScorer;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.Example;
import java.util.List;

/**
 * Scoring throughput of one adapter on 128-token items (2 single-token choices), and M = 10 curve
 * points scored batched against one pass per point, on the same items in one run.
 */
final class ScoringBench {
    private ScoringBench() {}

    static void run(String name, Decoder d, NDManager m, int rank, Timing timing) {
        LoraLayout layout = new LoraLayout(d.config(), Workloads.lora(rank));
        int vocab = d.config().vocabSize();
        List<Example> items = Workloads.classificationItems(vocab, 64, 128);
        List<float[]> ten = Workloads.perturbedThetas(layout, 10);
        SampleScorer one = new SampleScorer(d, m, layout, 16);
        double single = timing.median(() -> one.score(ten.subList(0, 1), false, items, false, 0));
        System.out.printf("%s, scoring (medians):%n", name);
        System.out.printf("  one adapter, 64 items of 128 tokens (batch 16)   %9.0f tokens/s%n", 64 * 128 / single);
        for (int len : new int[] {128, 32}) {
            List<Example> sized = Workloads.classificationItems(vocab, 64, len);
            SampleScorer chunked = new SampleScorer(d, m, layout, 4);
            double batched = timing.median(() -> chunked.score(ten, false, sized, true, 0));
            double sequential = timing.median(() -> chunked.score(ten, false, sized, false, 0));
            System.out.printf(
                    "  M = 10 points, 64 items of %3d tokens, 4 items per pass: batched (%d points per pass) %.2f s,"
                            + " sequential %.2f s (batched %.2fx faster; %.0f tokens/s)%n",
                    len,
                    chunked.samplesPerPass(10, sized),
                    batched,
                    sequential,
                    sequential / batched,
                    10.0 * 64 * len / batched);
        }
    }
}
