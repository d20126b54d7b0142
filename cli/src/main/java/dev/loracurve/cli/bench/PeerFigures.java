package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TokenBatch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What scripts/bench-peers.sh sets beside llama.cpp and PyTorch + PEFT, as one line of key=value:
 * prompt processing of one sequence with the last position's logits (llama.cpp's measure), the
 * same for a batch, LoRA forward+backward of the batch with the mean next-token loss (all
 * positions' logits), and the process's peak resident memory; or, with a profile folder, where
 * the time of one forward and one LoRA step goes.
 */
record PeerFigures(Path model, int seq, int batch, int rank, int threads, Path profile, Timing timing) {

    void run() {
        try (NDManager m = Engines.newManager()) {
            m.zeros(new Shape(1)).getFloat(0); // libtorch loaded and initialised
            long fixed = ProcStatus.selfMib("VmRSS:");
            try (Decoder d = Decoder.load(model, m)) {
                long loaded = ProcStatus.selfMib("VmRSS:");
                LoraLayout layout = new LoraLayout(d.config(), Workloads.lora(rank));
                NDArray theta = Tensors.of(m, layout.initialTheta(1));
                TokenBatch many = Workloads.randomBatch(d.config().vocabSize(), batch, seq);
                if (profile != null) {
                    profileRuns(d, m, layout, theta, many);
                } else {
                    measure(d, m, layout, theta, many, fixed, loaded);
                }
            }
        }
    }

    private void measure(
            Decoder d, NDManager m, LoraLayout layout, NDArray theta, TokenBatch many, long fixedMib, long loadedMib) {
        ModelConfig c = d.config();
        TokenBatch one = Workloads.randomBatch(c.vocabSize(), 1, seq);
        long loadPeak = ProcStatus.selfMib("VmHWM:");
        ProcStatus.resetPeak(); // each figure's own high-water mark from here
        double pp1 = timing.median(() -> Workloads.lastLogits(d, m, one));
        double ppBatch = timing.median(() -> Workloads.lastLogits(d, m, many));
        long scoringPeak = ProcStatus.selfMib("VmHWM:");
        ProcStatus.resetPeak();
        double train = timing.median(() -> Workloads.loraStep(d, m, layout, theta, many));
        long trainPeak = ProcStatus.selfMib("VmHWM:");
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
                ProcStatus.selfMib("RssFile:"), // mapped files' pages (the weights file, libraries) count in RSS
                ActivationMemory.loraStepBytes(c, batch, seq) >> 20);
        System.out.println(Matmuls.atProjections(m, timing, c, seq, threads));
    }

    /** One forward of the batch (each row's last logits) and one LoRA step, each profiled after warm-ups. */
    private void profileRuns(Decoder d, NDManager m, LoraLayout layout, NDArray theta, TokenBatch b) {
        Runnable[] runs = {() -> Workloads.lastLogits(d, m, b), () -> Workloads.loraStep(d, m, layout, theta, b)};
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
}
