package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Model throughput: forward and forward+backward (LoRA gradients) tokens/s, against the F32
 * matmul rate measured in the same run; one class per benchmark. Figures are medians over timed
 * repetitions ({@link Timing}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark forward and forward+backward throughput on stories260K and a random 30M Llama.")
public final class BenchCommand implements Runnable {
    @Option(
            names = "--stories",
            description = "stories260K folder (default: ../shared/models/stories260K; skipped when absent)")
    Path stories;

    @Option(names = "--threads", defaultValue = "2", description = "intra-op threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--seconds",
            defaultValue = "2",
            description = "time budget per measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(
            names = "--model",
            description = "only the figures the peers also measure (scripts/bench-peers.sh), on this model folder:"
                    + " one line of key=value")
    Path model;

    @Option(
            names = "--profile",
            description = "with --model: profile one batched forward and one LoRA step under libtorch's profiler,"
                    + " write their Chrome traces into this folder and print where the time goes")
    Path profile;

    @Option(names = "--seq", defaultValue = "128", description = "with --model: tokens per sequence")
    int seq;

    @Option(names = "--batch", defaultValue = "4", description = "with --model: sequences per batch")
    int batch;

    @Option(
            names = "--rank",
            defaultValue = "8",
            description = "LoRA rank on all seven projections (default ${DEFAULT-VALUE})")
    int rank;

    @Option(
            names = "--predict",
            description = "only the Predict figures, on this model folder (a random one: ./loracurve random-model"
                    + " llama-30m --out DIR): latency p50/p99 and items/s with each --clients count, memory")
    Path predict;

    @Option(
            names = "--calls",
            defaultValue = "200",
            description = "with --predict: calls per row (default ${DEFAULT-VALUE})")
    int calls;

    @Option(
            names = "--clients",
            split = ",",
            defaultValue = "1,8",
            description = "with --predict: concurrent clients per row (default ${DEFAULT-VALUE})")
    List<Integer> clients;

    @Option(
            names = "--items",
            defaultValue = "8",
            description = "with --predict: items per call (default ${DEFAULT-VALUE})")
    int items;

    @Option(names = "--samples", defaultValue = "8", description = "with --predict: M (default ${DEFAULT-VALUE})")
    int samples;

    @Override
    public void run() {
        System.setProperty("loracurve.threads", String.valueOf(threads));
        Timing timing = new Timing(seconds);
        if (predict != null) {
            new PredictBench(predict, samples, items, calls, clients, rank).run();
            return;
        }
        if (model != null) {
            new PeerFigures(model, seq, batch, rank, threads, profile, timing).run();
            return;
        }
        try (NDManager m = Engines.newManager()) {
            double matmul = Matmuls.square(m, timing);
            System.out.printf("threads %d, device %s%n", threads, Engines.device());
            System.out.printf("F32 matmul 1024^3: %.1f GFLOP/s (median)%n", matmul / 1e9);
            Path s = stories != null ? stories : Path.of("..", "shared", "models", "stories260K");
            if (Files.exists(s.resolve("config.json"))) {
                try (Decoder d = Decoder.load(s, m)) {
                    ThroughputBench.run("stories260K", d, m, 16, 128, rank, matmul, timing);
                    StepCostBench.run("stories260K", d, m, rank, timing);
                    ScoringBench.run("stories260K", d, m, rank, timing);
                }
            } else {
                System.out.println("stories260K: skipped (" + s + " is absent)");
            }
            try (Decoder d = Decoder.fromWeights(ModelShapes.LLAMA_30M, new RandomWeights(0), m, DataType.FLOAT32)) {
                ThroughputBench.run("random llama 30M", d, m, 8, 256, rank, matmul, timing);
                ScalingBench.run("random llama 30M", d, m, rank, timing);
            }
            System.out.printf(
                    "F32 matmul 1024^3 again: %.1f GFLOP/s (the machine is shared: compare the two)%n",
                    Matmuls.square(m, timing) / 1e9);
            System.out.printf(
                    "peak resident memory of this process: %d MiB (weights of both models included)%n",
                    ProcStatus.selfMib("VmHWM:"));
        }
    }
}
