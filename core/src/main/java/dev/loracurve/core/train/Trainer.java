package dev.loracurve.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.eval.Metrics;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.SafetensorsFile;
import dev.loracurve.core.store.SafetensorsWriter;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains one LoRA optimum: AdamW on the flat θ, warm-up then decay, clipping, gradient
 * accumulation, validation every N steps, and resumable checkpoints.
 *
 * <p>Determinism: the seed fixes the LoRA init, the data order (a permutation per epoch drawn
 * from the seed and the epoch) and the dropout masks (libtorch reseeded from the seed and the
 * micro-step before each forward). So a checkpoint needs only θ, the Adam moments and the step:
 * every random draw after it is a function of the seed and the position, and a run killed at any
 * moment and restarted ends bit-identical to an uninterrupted one.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String CHECKPOINT_SUFFIX = ".checkpoint";

    /** Called after each optimizer step. */
    public interface Listener {
        void onStep(int step, int steps, double loss, double tokensPerSecond);

        default void onEval(int step, double accuracy, double nll) {}
    }

    private final Decoder decoder;
    private final NDManager manager;
    private final TrainConfig config;
    private final LoraLayout layout;

    public Trainer(Decoder decoder, NDManager manager, TrainConfig config) {
        this.decoder = decoder;
        this.manager = manager;
        this.config = config;
        this.layout = new LoraLayout(decoder.config(), config.lora());
    }

    /**
     * Trains with {@code seed} and writes a PEFT adapter and metrics.json into {@code runDir}, both
     * at once (the folder appears only when the run is done); resumes from the checkpoint folder
     * beside it ({@code run-0.checkpoint}) when there is one. A finished run is not repeated.
     */
    public void train(List<Example> train, List<Example> validation, long seed, Path runDir, String baseModel,
                      Listener listener) {
        if (Files.exists(runDir.resolve(PeftAdapter.CONFIG)) && Files.exists(runDir.resolve("metrics.json"))) {
            return; // finished earlier
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training items");
        }
        Path ckpt = runDir.resolveSibling(runDir.getFileName() + CHECKPOINT_SUFFIX);
        float[] theta;
        AdamW adam = new AdamW(layout.intSize(), config.beta1(), config.beta2(), config.eps(), config.weightDecay());
        int start;
        ObjectNode metrics;
        if (Files.exists(ckpt.resolve("state.json"))) {
            State s = readCheckpoint(ckpt, adam);
            theta = s.theta;
            start = s.step;
            metrics = s.metrics;
        } else {
            theta = layout.initialTheta(mix(seed, 0x1));
            start = 0;
            metrics = JSON.createObjectNode();
            metrics.put("seed", seed);
            metrics.putArray("loss");
            metrics.putArray("validation");
        }
        float[] grad = new float[theta.length];
        long t0 = System.nanoTime();
        long tokens = 0;
        for (int step = start; step < config.steps(); step++) {
            java.util.Arrays.fill(grad, 0f);
            double loss = 0;
            for (int micro = 0; micro < config.gradAccumulation(); micro++) {
                long sample = ((long) step * config.gradAccumulation() + micro) * config.batchSize();
                List<Example> batch = batch(train, seed, sample);
                Engines.seed(mix(seed, 0x2, step, micro)); // dropout masks of this micro-batch
                loss += accumulate(theta, batch, grad) / config.gradAccumulation();
                tokens += batch.stream().mapToLong(Example::packedLength).sum();
            }
            for (int i = 0; i < grad.length; i++) {
                grad[i] /= config.gradAccumulation();
            }
            AdamW.clip(grad, config.clipNorm());
            adam.step(theta, grad, config.lrAt(step));
            ((ArrayNode) metrics.get("loss")).add(loss);
            listener.onStep(step + 1, config.steps(), loss, tokens / ((System.nanoTime() - t0) / 1e9));
            boolean last = step + 1 == config.steps();
            if (!validation.isEmpty() && (last || (config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0))) {
                double[] accNll = evaluate(theta, validation);
                ObjectNode v = ((ArrayNode) metrics.get("validation")).addObject();
                v.put("step", step + 1).put("accuracy", accNll[0]).put("nll", accNll[1]);
                listener.onEval(step + 1, accNll[0], accNll[1]);
            }
            if (!last && config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0) {
                writeCheckpoint(ckpt, theta, adam, step + 1, metrics);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        metrics.put("train_seconds_last_session", seconds);
        metrics.put("train_tokens_per_second_last_session", tokens / seconds);
        PeftAdapter adapter = new PeftAdapter(config.lora(), theta, baseModel);
        AtomicFiles.writeDirectory(runDir, dir -> {
            adapter.writeFiles(dir, decoder.config());
            Files.writeString(dir.resolve("metrics.json"), metrics.toPrettyString());
        });
        try {
            AtomicFiles.deleteTree(ckpt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line on a finished run: its last validation accuracy and NLL. */
    public static String summary(Path runDir) {
        try {
            var m = JSON.readTree(runDir.resolve("metrics.json").toFile());
            var v = m.path("validation");
            var loss = m.path("loss");
            String last = loss.size() == 0 ? "-" : String.format("%.4f", loss.get(loss.size() - 1).asDouble());
            if (v.size() == 0) {
                return "final training loss " + last;
            }
            var e = v.get(v.size() - 1);
            return String.format("final training loss %s, validation accuracy %.4f, NLL %.4f", last,
                    e.path("accuracy").asDouble(), e.path("nll").asDouble());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accuracy and NLL of θ on examples (no dropout). */
    public double[] evaluate(float[] theta, List<Example> examples) {
        try (NDManager local = manager.newSubManager()) {
            FlatLora lora = new FlatLora(layout, Tensors.of(local, theta), false);
            double[][] probs = ChoiceScorer.predict(decoder, local, examples, lora, config.batchSize());
            int[] labels = examples.stream().mapToInt(Example::label).toArray();
            return new double[] {Metrics.accuracy(probs, labels), Metrics.nll(probs, labels)};
        }
    }

    /** Adds ∂loss/∂θ of one micro-batch to grad; returns the loss. */
    private double accumulate(float[] theta, List<Example> batch, float[] grad) {
        try (NDManager step = manager.newSubManager(); GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray th = Tensors.of(step, theta);
            th.setRequiresGradient(true);
            NDArray logProbs = ChoiceScorer.logProbs(decoder, step, batch, new FlatLora(layout, th, true));
            NDArray loss = ChoiceScorer.crossEntropy(logProbs, batch);
            gc.backward(loss);
            float[] g = th.getGradient().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                grad[i] += g[i];
            }
            return loss.getFloat();
        }
    }

    /** The items of the micro-batch that starts at global sample index {@code sample}. */
    private List<Example> batch(List<Example> train, long seed, long sample) {
        List<Example> out = new ArrayList<>(config.batchSize());
        int n = train.size();
        int[] perm = null;
        long epoch = -1;
        for (long k = sample; k < sample + config.batchSize(); k++) {
            if (k / n != epoch) {
                epoch = k / n;
                perm = permutation(n, mix(seed, 0x3, epoch));
            }
            out.add(train.get(perm[(int) (k % n)]));
        }
        return out;
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /** A seed for one purpose and position, from the run's seed. */
    static long mix(long seed, long... parts) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = Long.rotateLeft(h ^ (p * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
        }
        return h ^ (h >>> 29);
    }

    private record State(float[] theta, int step, ObjectNode metrics) {}

    private void writeCheckpoint(Path ckpt, float[] theta, AdamW adam, int step, ObjectNode metrics) {
        AtomicFiles.writeDirectory(ckpt, dir -> {
            long[] shape = {theta.length};
            new SafetensorsWriter().add("theta", shape, theta).add("adam_m", shape, adam.m).add("adam_v", shape, adam.v)
                    .write(dir.resolve("state.safetensors"));
            ObjectNode s = JSON.createObjectNode();
            s.put("step", step).put("adam_t", adam.t).put("parameters", theta.length);
            s.set("metrics", metrics);
            Files.writeString(dir.resolve("state.json"), s.toPrettyString());
        });
    }

    private State readCheckpoint(Path ckpt, AdamW adam) {
        try (SafetensorsFile f = SafetensorsFile.open(ckpt.resolve("state.safetensors"))) {
            var s = JSON.readTree(ckpt.resolve("state.json").toFile());
            if (s.path("parameters").asInt() != layout.size()) {
                throw new IllegalStateException(ckpt + " holds " + s.path("parameters").asInt()
                        + " parameters but this LoRA config has " + layout.size() + ": remove it or use the same options");
            }
            float[] theta = f.readFloats("theta");
            System.arraycopy(f.readFloats("adam_m"), 0, adam.m, 0, theta.length);
            System.arraycopy(f.readFloats("adam_v"), 0, adam.v, 0, theta.length);
            adam.t = s.path("adam_t").asInt();
            return new State(theta, s.path("step").asInt(), (ObjectNode) s.get("metrics"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
