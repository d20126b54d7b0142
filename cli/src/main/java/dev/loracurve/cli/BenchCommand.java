package dev.loracurve.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loracurve.core.curve.BezierCurve;
import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveFitter;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.eval.SampleScorer;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.LanguageModelLoss;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.ModelFlops;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.train.AdamW;
import dev.loracurve.core.train.ClassifierObjective;
import dev.loracurve.core.train.DataOrder;
import dev.loracurve.core.train.OptimizerConfig;
import dev.loracurve.core.train.Schedule;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Model throughput: forward and forward+backward (LoRA gradients) tokens/s, against the F32
 * matmul rate measured in the same run. Figures are medians over timed repetitions.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark forward and forward+backward throughput on stories260K and a random 30M Llama.")
final class BenchCommand implements Runnable {
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

    /** The benchmark's 30M configuration: hidden 512, 8 layers, 8 heads, SwiGLU 1376, vocab 8192, tied. */
    static final ModelConfig LLAMA_30M = ModelConfig.builder("llama")
            .hiddenSize(512)
            .intermediateSize(1376)
            .layers(8)
            .heads(8)
            .vocabSize(8192)
            .ropeTheta(1e4)
            .rmsNormEps(1e-5)
            .tieWordEmbeddings(true)
            .build();

    @Override
    public void run() {
        System.setProperty("loracurve.threads", String.valueOf(threads));
        if (model != null) {
            peerFigures();
            return;
        }
        try (NDManager m = Engines.newManager()) {
            double matmul = matmulFlops(m);
            System.out.printf("threads %d, device %s%n", threads, Engines.device());
            System.out.printf("F32 matmul 1024^3: %.1f GFLOP/s (median)%n", matmul / 1e9);
            Path s = stories != null ? stories : Path.of("..", "shared", "models", "stories260K");
            if (Files.exists(s.resolve("config.json"))) {
                try (Decoder d = Decoder.load(s, m)) {
                    report("stories260K", d, m, 16, 128, matmul);
                }
            } else {
                System.out.println("stories260K: skipped (" + s + " is absent)");
            }
            if (Files.exists(s.resolve("config.json"))) {
                try (Decoder d = Decoder.load(s, m)) {
                    stepCosts("stories260K", d, m);
                    evaluation("stories260K", d, m);
                }
            }
            try (Decoder d = Decoder.fromWeights(LLAMA_30M, new RandomWeights(0), m, DataType.FLOAT32)) {
                report("random llama 30M", d, m, 8, 256, matmul);
                scaling("random llama 30M", d, m);
            }
            System.out.printf(
                    "F32 matmul 1024^3 again: %.1f GFLOP/s (the machine is shared: compare the two)%n",
                    matmulFlops(m) / 1e9);
            System.out.printf(
                    "peak resident memory of this process: %d MiB (weights of both models included)%n",
                    memoryMib("VmHWM:"));
        }
    }

    private void report(String name, Decoder d, NDManager m, int batchSize, int t, double matmul) {
        ModelConfig c = d.config();
        LoraConfig lora =
                LoraConfig.builder().rank(rank).alpha(2 * rank).dropout(0).build();
        LoraLayout layout = new LoraLayout(c, lora);
        NDArray theta = Tensors.of(m, layout.initialTheta(1));
        TokenBatch batch = randomBatch(c.vocabSize(), batchSize, t);
        long tokens = (long) batchSize * t;

        double base = median(() -> {
            try (NDManager step = m.newSubManager()) {
                d.logits(d.hidden(batch.idsArray(step), batch, LoraDelta.NONE)).getFloat(0, 0, 0);
            }
        });
        FlatLora fixed = new FlatLora(layout, theta, false); // views of θ taken once
        double fwd = median(() -> {
            try (NDManager step = m.newSubManager()) {
                NDArray logits = d.logits(d.hidden(batch.idsArray(step), batch, fixed));
                logits.getFloat(0, 0, 0); // wait for the result
            }
        });
        double train = median(() -> loraStep(d, m, layout, theta, batch));
        double fwdFlops = ModelFlops.forward(c, batchSize, t, lora) / fwd;
        double trainFlops = ModelFlops.forwardBackwardLora(c, batchSize, t, lora) / train;
        System.out.printf(
                "%s, batch %d x %d, LoRA r %d on all projections (P = %d):%n", name, batchSize, t, rank, layout.size());
        double baseFlops = ModelFlops.forward(c, batchSize, t, null) / base;
        System.out.printf(
                "  forward, base     %9.0f tokens/s  %6.1f GFLOP/s  %5.1f%% of matmul rate%n",
                tokens / base, baseFlops / 1e9, 100 * baseFlops / matmul);
        System.out.printf(
                "  forward with LoRA %9.0f tokens/s  %6.1f GFLOP/s  %5.1f%% of matmul rate%n",
                tokens / fwd, fwdFlops / 1e9, 100 * fwdFlops / matmul);
        System.out.printf(
                "  forward+backward  %9.0f tokens/s  %6.1f GFLOP/s  %5.1f%% of matmul rate%n",
                tokens / train, trainFlops / 1e9, 100 * trainFlops / matmul);
    }

    /**
     * One LoRA training step against one curve-fitting step (t draw, φ(t), gradient, scatter,
     * AdamW on the control points) at the same batch, without and with the JS term (M = 3):
     * classification items shaped like TREC's (a 24-token prompt, 6 choices of 1-3 tokens).
     */
    private void stepCosts(String name, Decoder d, NDManager m) {
        LoraConfig lora = LoraConfig.builder().rank(rank).alpha(2 * rank).build();
        LoraLayout layout = new LoraLayout(d.config(), lora);
        SplittableRandom rng = new SplittableRandom(3);
        List<Example> items = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long[] prefix = rng.longs(24, 3, d.config().vocabSize()).toArray();
            long[][] cont = new long[6][];
            for (int c = 0; c < 6; c++) {
                cont[c] = rng.longs(1 + c % 3, 3, d.config().vocabSize()).toArray();
                cont[c][0] = 3 + c; // distinct first tokens
            }
            items.add(new Example("b" + i, prefix, cont, rng.nextInt(6), false));
        }
        OptimizerConfig optimizer =
                OptimizerConfig.builder().lr(1e-3).schedule(Schedule.CONSTANT).build();
        ClassifierObjective objective = new ClassifierObjective(d, m, layout);
        float[] theta = layout.initialTheta(1);
        AdamW adam = optimizer.newAdamW(theta.length);
        DataOrder<Example> order = new DataOrder<>(items, 1);
        long[] step = {0};
        double trainStep = median(() -> {
            float[] g = new float[theta.length];
            objective.gradient(theta, order.batch(step[0]++ * 16, 16), true, g, 1f);
            adam.step(theta, g, optimizer.lr());
        });
        BezierCurve curve =
                BezierCurve.anchored(List.of(theta.clone(), layout.initialTheta(2), layout.initialTheta(3)), 2, 0, 0);
        double[] curveSteps = new double[2];
        for (int js = 0; js < 2; js++) {
            CurveFitConfig cfg = CurveFitConfig.builder()
                    .steps(1)
                    .batchSize(16)
                    .optimizer(o -> o.lr(1e-3).schedule(Schedule.CONSTANT))
                    .diversity(js == 0 ? 0 : 0.1, 3)
                    .dropout(true)
                    .checkpointEvery(0)
                    .build();
            CurveFitter fitter = new CurveFitter(d, m, lora, cfg);
            curveSteps[js] = median(() -> fitter.step(curve, items, step[0]++));
        }
        System.out.printf("%s, one optimizer step at batch 16 (TREC-shaped items):%n", name);
        System.out.printf("  LoRA training step  %7.1f ms%n", trainStep * 1e3);
        System.out.printf(
                "  curve step          %7.1f ms  (%.2fx the training step)%n",
                curveSteps[0] * 1e3, curveSteps[0] / trainStep);
        System.out.printf(
                "  curve step, JS M=3  %7.1f ms  (%.2fx the training step)%n",
                curveSteps[1] * 1e3, curveSteps[1] / trainStep);
    }

    /**
     * Scoring throughput of one adapter on 128-token items (2 single-token choices), and M = 10
     * curve points scored batched against one pass per point, on the same items in one run.
     */
    private void evaluation(String name, Decoder d, NDManager m) {
        LoraConfig lora = LoraConfig.builder().rank(rank).alpha(2 * rank).build();
        LoraLayout layout = new LoraLayout(d.config(), lora);
        List<Example> items = classificationItems(d.config().vocabSize(), 64, 128);
        List<float[]> ten = perturbedThetas(layout, 10);
        SampleScorer one = new SampleScorer(d, m, layout, 16);
        double single = median(() -> one.score(ten.subList(0, 1), false, items, false, 0));
        System.out.printf("%s, scoring (medians):%n", name);
        System.out.printf("  one adapter, 64 items of 128 tokens (batch 16)   %9.0f tokens/s%n", 64 * 128 / single);
        for (int len : new int[] {128, 32}) {
            List<Example> short_ = classificationItems(d.config().vocabSize(), 64, len);
            SampleScorer chunked = new SampleScorer(d, m, layout, 4);
            double batched = median(() -> chunked.score(ten, false, short_, true, 0));
            double sequential = median(() -> chunked.score(ten, false, short_, false, 0));
            System.out.printf(
                    "  M = 10 points, 64 items of %3d tokens, 4 items per pass: batched (%d points per pass) %.2f s,"
                            + " sequential %.2f s (batched %.2fx faster; %.0f tokens/s)%n",
                    len,
                    chunked.samplesPerPass(10, short_),
                    batched,
                    sequential,
                    sequential / batched,
                    10.0 * 64 * len / batched);
        }
    }

    /** Items of {@code len} random tokens with two single-token choices. */
    private static List<Example> classificationItems(int vocab, int n, int len) {
        SplittableRandom rng = new SplittableRandom(4);
        List<Example> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(new Example(
                    "s" + i, rng.longs(len, 3, vocab).toArray(), new long[][] {{3}, {4}}, rng.nextInt(2), false));
        }
        return items;
    }

    /** M initial θ with B ≠ 0 (the adapters matter). */
    private static List<float[]> perturbedThetas(LoraLayout layout, int m) {
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

    /**
     * How cost grows: scoring forward (each row's last logits) and LoRA forward+backward tokens/s
     * against batch size and sequence length, and M adapters scored batched (as {@link SampleScorer}
     * groups them) against one pass per adapter.
     */
    private void scaling(String name, Decoder d, NDManager m) {
        LoraConfig lora =
                LoraConfig.builder().rank(rank).alpha(2 * rank).dropout(0).build();
        LoraLayout layout = new LoraLayout(d.config(), lora);
        NDArray theta = Tensors.of(m, layout.initialTheta(1));
        int vocab = d.config().vocabSize();
        System.out.printf("%s, scaling (tokens/s, medians):%n", name);
        System.out.printf("  %-16s %10s %10s%n", "batch x length", "scoring", "fwd+bwd");
        int[][] shapes = {{1, 128}, {4, 128}, {16, 128}, {1, 512}, {1, 2048}, {4, 512}};
        for (int[] bt : shapes) {
            TokenBatch b = randomBatch(vocab, bt[0], bt[1]);
            double tokens = (double) bt[0] * bt[1];
            double fwd = median(() -> lastLogits(d, m, b));
            double train = median(() -> loraStep(d, m, layout, theta, b));
            System.out.printf("  %-16s %10.0f %10.0f%n", bt[0] + " x " + bt[1], tokens / fwd, tokens / train);
        }
        System.out.printf("  M adapters on 8 items, batched (samples per pass) against one pass each:%n");
        for (int len : new int[] {32, 128}) {
            List<Example> items = classificationItems(vocab, 8, len);
            SampleScorer scorer = new SampleScorer(d, m, layout, 8);
            for (int mm : new int[] {1, 4, 16}) {
                List<float[]> thetas = perturbedThetas(layout, mm);
                double batched = median(() -> scorer.score(thetas, false, items, true, 0));
                double sequential = median(() -> scorer.score(thetas, false, items, false, 0));
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

    /**
     * What scripts/bench-peers.sh sets beside llama.cpp and PyTorch + PEFT: prompt processing of one
     * sequence with the last position's logits (llama.cpp's measure), the same for a batch, LoRA
     * forward+backward of the batch with the mean next-token loss (all positions' logits), and the
     * process's peak resident memory.
     */
    private void peerFigures() {
        try (NDManager m = Engines.newManager()) {
            m.zeros(new Shape(1)).getFloat(0); // libtorch loaded and initialised
            long fixed = memoryMib("VmRSS:");
            try (Decoder d = Decoder.load(model, m)) {
                peerFigures(d, m, fixed, memoryMib("VmRSS:"));
            }
        }
    }

    private void peerFigures(Decoder d, NDManager m, long fixedMib, long loadedMib) {
        ModelConfig c = d.config();
        LoraConfig lora =
                LoraConfig.builder().rank(rank).alpha(2 * rank).dropout(0).build();
        LoraLayout layout = new LoraLayout(c, lora);
        NDArray theta = Tensors.of(m, layout.initialTheta(1));
        TokenBatch one = randomBatch(c.vocabSize(), 1, seq);
        TokenBatch many = randomBatch(c.vocabSize(), batch, seq);
        if (profile != null) {
            profileRuns(d, m, layout, theta, many);
            return;
        }
        long loadPeak = memoryMib("VmHWM:");
        resetPeak(); // each figure's own high-water mark from here
        double pp1 = median(() -> lastLogits(d, m, one));
        double ppBatch = median(() -> lastLogits(d, m, many));
        long scoringPeak = memoryMib("VmHWM:");
        resetPeak();
        double train = median(() -> loraStep(d, m, layout, theta, many));
        long trainPeak = memoryMib("VmHWM:");
        long weightsMib = d.weights().values().stream()
                        .distinct() // a tied head is the embedding
                        .mapToLong(w -> w.size() * w.getDataType().getNumOfBytes())
                        .sum()
                >> 20;
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf(
                "peer=ours threads=%d seq=%d batch=%d pp1=%.1f pp_batch=%.1f train=%.1f peak_mib=%d"
                        + " fixed_mib=%d weights_mib=%d loaded_mib=%d scoring_peak_mib=%d train_peak_mib=%d"
                        + " heap_committed_mib=%d heap_used_mib=%d file_mib=%d activations_mib=%d%n",
                threads,
                seq,
                batch,
                seq / pp1,
                (double) batch * seq / ppBatch,
                (double) batch * seq / train,
                Math.max(loadPeak, Math.max(scoringPeak, trainPeak)),
                fixedMib,
                weightsMib,
                loadedMib,
                scoringPeak,
                trainPeak,
                heap.getCommitted() >> 20,
                heap.getUsed() >> 20,
                memoryMib("RssFile:"), // mapped files' pages (the weights file, libraries) count in RSS
                loraStepActivationBytes(c, batch, seq) >> 20);
        projectionMatmuls(m, c);
    }

    /** One forward of the batch (each row's last logits) and one LoRA step, each profiled after warm-ups. */
    private void profileRuns(Decoder d, NDManager m, LoraLayout layout, NDArray theta, TokenBatch b) {
        Runnable[] runs = {() -> lastLogits(d, m, b), () -> loraStep(d, m, layout, theta, b)};
        String[] names = {"forward", "lora-step"};
        try {
            Files.createDirectories(profile);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create --profile " + profile + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < runs.length; i++) {
            runs[i].run();
            runs[i].run();
            Path trace = profile.resolve(names[i] + ".json");
            long[] wall = new long[1];
            Runnable run = runs[i];
            Engines.profile(trace, () -> {
                long t0 = System.nanoTime();
                run.run();
                wall[0] = System.nanoTime() - t0;
            });
            System.out.printf(
                    "%s, %d x %d, %d thread(s): %.1f ms under the profiler (%s)%n",
                    names[i], b.batchSize(), b.maxLength(), threads, wall[0] / 1e6, trace);
            OpProfile.summarize(trace, wall[0] / 1e9, 15).forEach(System.out::println);
        }
    }

    /**
     * What autograd keeps for the backward of one LoRA step of the decoder (F32, B·T = N tokens),
     * counted from the ops of Decoder: per layer the two RMSNorms (input and output, 4·H),
     * q and k before and after RoPE (3·(H + Hkv)), v (Hkv), attention's output (H), the MLP's gate,
     * sigmoid, their product, up and the activation (5·I), and scores and probabilities (2·nh·T
     * per token); then the vocabulary logits, their log-softmax and its gradient (3·V). LoRA's
     * rank-r intermediates are left out (r ≪ H).
     */
    static long loraStepActivationBytes(ModelConfig c, int batch, int seq) {
        long n = (long) batch * seq;
        long hkv = (long) c.numKvHeads() * c.headDim();
        long perToken = 8L * c.hiddenSize() + 4 * hkv + 5L * c.intermediateSize() + 2L * c.numHeads() * seq;
        return 4 * n * (perToken * c.numLayers() + 3L * c.vocabSize());
    }

    /** Restarts the VmHWM high-water mark at the current resident size (Linux; else nothing). */
    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // peaks then cover the whole run so far
        }
    }

    /** LoRA forward+backward of the mean next-token loss, the gradient read back. */
    private static void loraStep(Decoder d, NDManager m, LoraLayout layout, NDArray theta, TokenBatch batch) {
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
    private static void lastLogits(Decoder d, NDManager m, TokenBatch b) {
        try (NDManager step = m.newSubManager()) {
            NDArray hidden = d.hidden(b.idsArray(step), b, LoraDelta.NONE); // (B, T, H)
            long t = hidden.getShape().get(1);
            NDArray last = hidden.get(new NDIndex(":, {}, :", t - 1)); // (B, H)
            d.logits(last).getFloat(0, 0);
        }
    }

    /** A field of /proc/self/status (VmRSS: now, VmHWM: the peak), in MiB; 0 where there is no /proc. */
    static long memoryMib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static TokenBatch randomBatch(int vocab, int batchSize, int t) {
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

    private double matmulFlops(NDManager m) {
        return linearFlops(m, 1024, 1024, 1024);
    }

    /** FLOP/s of y = x Wᵀ for x (rows, in), W (out, in): a projection's matmul alone. */
    private double linearFlops(NDManager m, long rows, long in, long out) {
        try (NDManager local = m.newSubManager()) {
            NDArray x = local.randomUniform(-1, 1, new Shape(rows, in));
            NDArray w = local.randomUniform(-1, 1, new Shape(out, in));
            double s = median(() -> {
                try (NDArray y = x.getNDArrayInternal().linear(x, w, null).singletonOrThrow()) {
                    y.getFloat(0, 0);
                }
            });
            return 2.0 * rows * in * out / s;
        }
    }

    /**
     * The matmul rate at this model's projections for one sequence (seq rows), the shapes pp1 runs,
     * and at the gate and up projections fused into one: what single-sequence scoring would reach
     * with threads if its matmuls were all it did, and whether fusing projections would pay.
     */
    private void projectionMatmuls(NDManager m, ModelConfig c) {
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        long[][] shapes = {{h, h}, {h, i}, {i, h}, {h, 2 * i}};
        StringBuilder line = new StringBuilder(
                String.format("matmul at this model's projections, %d rows, %d thread(s), GFLOP/s:", seq, threads));
        for (long[] inOut : shapes) {
            line.append(
                    String.format(" %d->%d %.1f", inOut[0], inOut[1], linearFlops(m, seq, inOut[0], inOut[1]) / 1e9));
        }
        System.out.println(line.append(" (the last: gate and up fused)"));
    }

    /**
     * Median seconds of one run: a warm-up (two when a run is short), then repetitions until the
     * time budget (3 to 50).
     */
    private double median(Runnable body) {
        long w0 = System.nanoTime();
        body.run();
        if (System.nanoTime() - w0 < 250_000_000L) {
            body.run();
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < 3 || (times.size() < 50 && (System.nanoTime() - start) / 1e9 < seconds)) {
            long t0 = System.nanoTime();
            body.run();
            times.add((System.nanoTime() - t0) / 1e9);
        }
        double[] sorted =
                times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }
}
