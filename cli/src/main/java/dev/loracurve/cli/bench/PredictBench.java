package dev.loracurve.cli.bench;

import dev.loracurve.core.eval.EvalConfig;
import dev.loracurve.core.eval.EvalMethod;
import dev.loracurve.core.eval.Predictor;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.tasks.Item;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the eval stage's PredictionService does per call, in process: a posterior of M points on
 * the straight path between two LoRA optima (the curve's scoring path) kept loaded, called with a
 * few items at a time by 1 and by N concurrent clients (calls queue on the posterior, as in the
 * service); latency p50/p99, items/s, the load a per-job eval pays every time, and resident memory
 * before and after the calls. No gRPC, TLS or network: those add their own milliseconds.
 */
record PredictBench(Path model, int samples, int itemsPerCall, int calls, List<Integer> clients, int rank) {

    void run() {
        Path dir;
        try {
            dir = Files.createTempDirectory("predict-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ModelConfig config = ModelConfig.load(model);
            LoraConfig lora = Workloads.lora(rank);
            LoraLayout layout = new LoraLayout(config, lora);
            List<Path> anchors = new ArrayList<>();
            List<float[]> thetas = Workloads.perturbedThetas(layout, 2);
            for (int i = 0; i < 2; i++) {
                Path a = dir.resolve("run-" + i);
                new PeftAdapter(lora, thetas.get(i), model.toString()).write(a, config);
                anchors.add(a);
            }
            EvalConfig eval = EvalConfig.builder()
                    .methods(List.of(EvalMethod.LINEAR))
                    .samples(samples)
                    .build();
            long before = ProcStatus.selfMib("VmRSS:");
            long t0 = System.nanoTime();
            try (Predictor p = Predictor.load(model, anchors, List.of(), eval, 256)) {
                double load = (System.nanoTime() - t0) / 1e9;
                List<Item> items = items(itemsPerCall);
                p.predict("linear", items, false); // warm-up
                long loaded = ProcStatus.selfMib("VmRSS:");
                System.out.printf(
                        "predict on %s: linear path, M = %d, %d items per call, LoRA r %d; loading the posterior"
                                + " (what a per-job eval pays each time): %.2f s%n",
                        model.getFileName(), samples, itemsPerCall, rank, load);
                System.out.printf("  %-8s %6s %10s %10s %10s%n", "clients", "calls", "p50 ms", "p99 ms", "items/s");
                for (int c : clients) {
                    measure(p, items, c);
                }
                System.out.printf(
                        "  resident memory: %d MiB before loading, %d MiB loaded, %d MiB after %d calls per row%n",
                        before, loaded, ProcStatus.selfMib("VmRSS:"), calls);
            }
        } finally {
            try {
                AtomicFiles.deleteTree(dir);
            } catch (IOException e) {
                System.err.println("cannot remove " + dir + ": " + e.getMessage());
            }
        }
    }

    /** {@code calls} calls shared by {@code clients} threads, each call queued on the one posterior. */
    private void measure(Predictor p, List<Item> items, int clients) {
        double[] latency = new double[calls];
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int call = i;
                done.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    p.predict("linear", items, false); // queued on the posterior's thread, as in the service
                    latency[call] = (System.nanoTime() - t0) / 1e6;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "  %-8d %6d %10.1f %10.1f %10.1f%n",
                clients,
                calls,
                sorted[sorted.length / 2],
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)],
                (double) calls * items.size() / wall);
    }

    /** Prompts of about 48 words with four single-word choices, different per item. */
    static List<Item> items(int n) {
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder prompt = new StringBuilder();
            for (int w = 0; w < 48; w++) {
                prompt.append('w').append(3 + (i * 7 + w * 13) % 500).append(' ');
            }
            prompt.append("Answer:");
            List<String> choices = List.of(" w3", " w4", " w5", " w6");
            out.add(new Item("p" + i, "", prompt.toString(), choices, choices, Item.NO_LABEL, prompt.toString()));
        }
        return out;
    }
}
