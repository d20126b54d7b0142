package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.ModelFlops;
import dev.loracurve.core.model.TokenBatch;

/** Tokens/s of the base forward, the forward with LoRA, and LoRA forward+backward, against the matmul rate. */
final class ThroughputBench {
    private ThroughputBench() {}

    static void run(String name, Decoder d, NDManager m, int batchSize, int t, int rank, double matmul, Timing timing) {
        ModelConfig c = d.config();
        LoraConfig lora = Workloads.lora(rank);
        LoraLayout layout = new LoraLayout(c, lora);
        NDArray theta = Tensors.of(m, layout.initialTheta(1));
        TokenBatch batch = Workloads.randomBatch(c.vocabSize(), batchSize, t);
        long tokens = (long) batchSize * t;
        double base = timing.median(() -> {
            try (NDManager step = m.newSubManager()) {
                d.logits(d.hidden(batch.idsArray(step), batch, LoraDelta.NONE)).getFloat(0, 0, 0);
            }
        });
        FlatLora fixed = new FlatLora(layout, theta, false); // views of θ taken once
        double fwd = timing.median(() -> {
            try (NDManager step = m.newSubManager()) {
                d.logits(d.hidden(batch.idsArray(step), batch, fixed)).getFloat(0, 0, 0); // wait for it
            }
        });
        double train = timing.median(() -> Workloads.loraStep(d, m, layout, theta, batch));
        System.out.printf(
                "%s, batch %d x %d, LoRA r %d on all projections (P = %d):%n", name, batchSize, t, rank, layout.size());
        line("forward, base    ", tokens, base, ModelFlops.forward(c, batchSize, t, null), matmul);
        line("forward with LoRA", tokens, fwd, ModelFlops.forward(c, batchSize, t, lora), matmul);
        line("forward+backward ", tokens, train, ModelFlops.forwardBackwardLora(c, batchSize, t, lora), matmul);
    }

    private static void line(String what, long tokens, double seconds, double flop, double matmul) {
        double rate = flop / seconds;
        System.out.printf(
                "  %s %9.0f tokens/s  %6.1f GFLOP/s  %5.1f%% of matmul rate%n",
                what, tokens / seconds, rate / 1e9, 100 * rate / matmul);
    }
}
