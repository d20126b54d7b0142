package dev.loracurve.core.train;

import ai.djl.ndarray.NDManager;
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
import dev.loracurve.core.posterior.SwagMoments;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains one LoRA optimum: AdamW on the flat θ, warm-up then decay, clipping, gradient
 * accumulation, validation every N steps, resumable checkpoints, and SWAG moments of the last
 * phase's iterates when asked (in the checkpoint too, and in swag.safetensors beside the adapter).
 *
 * <p>Determinism: the seed fixes the LoRA init, the data order (a permutation per epoch drawn
 * from the seed and the epoch) and the dropout masks (libtorch reseeded from the seed and the
 * micro-step before each forward). So a checkpoint needs only θ, the Adam moments and the step:
 * every random draw after it is a function of the seed and the position, and a run killed at any
 * moment and restarted ends bit-identical to an uninterrupted one.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Called after each optimizer step. */
    public interface Listener {
        void onStep(int step, int steps, double loss, double tokensPerSecond);

        default void onEval(int step, double accuracy, double nll) {}

        /** A resumable checkpoint folder was written (a service copies it where another node can resume). */
        default void onCheckpoint(Path checkpoint) {}
    }

    private final Decoder decoder;
    private final NDManager manager;
    private final TrainConfig config;
    private final LoraLayout layout;
    private final ClassifierObjective objective;

    public Trainer(Decoder decoder, NDManager manager, TrainConfig config) {
        this.decoder = decoder;
        this.manager = manager;
        this.config = config;
        this.layout = new LoraLayout(decoder.config(), config.lora());
        this.objective = new ClassifierObjective(decoder, manager, layout);
    }

    /**
     * Trains with {@code seed} and writes a PEFT adapter and metrics.json into {@code runDir}, both
     * at once (the folder appears only when the run is done); resumes from the checkpoint folder
     * beside it ({@code run-0.checkpoint}) when there is one. A finished run is not repeated.
     */
    public void train(
            List<Example> train,
            List<Example> validation,
            long seed,
            Path runDir,
            String baseModel,
            Listener listener) {
        if (Files.exists(runDir.resolve(PeftAdapter.CONFIG)) && Files.exists(runDir.resolve("metrics.json"))) {
            return; // finished earlier
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training items");
        }
        Path ckpt = Checkpoint.besides(runDir);
        SwagConfig swagConfig = config.swag();
        SwagMoments swag = null;
        float[] theta;
        AdamW adam = config.optimizer().newAdamW(layout.intSize());
        int start;
        ObjectNode metrics;
        if (Checkpoint.exists(ckpt)) {
            Checkpoint c = Checkpoint.read(ckpt);
            if (c.info().path("parameters").asInt() != layout.size()) {
                throw new IllegalStateException(
                        ckpt + " holds " + c.info().path("parameters").asInt() + " parameters but this LoRA config has "
                                + layout.size() + ": remove it or use the same options");
            }
            theta = c.vectors().get("theta");
            adam.restore(
                    c.vectors().get("adam_m"),
                    c.vectors().get("adam_v"),
                    c.info().path("adam_t").asInt());
            start = c.info().path("step").asInt();
            metrics = (ObjectNode) c.info().get("metrics");
            if (swagConfig.enabled()) {
                swag = SwagMoments.restore(c.vectors(), theta.length, swagConfig.rank());
            }
        } else {
            theta = layout.initialTheta(Seeds.mix(seed, 0x1));
            start = 0;
            metrics = JSON.createObjectNode();
            metrics.put("seed", seed);
            metrics.putArray("loss");
            metrics.putArray("validation");
        }
        if (swag == null && swagConfig.enabled()) {
            swag = new SwagMoments(theta.length, swagConfig.rank());
        }
        float[] grad = new float[theta.length];
        DataOrder<Example> order = new DataOrder<>(train, seed);
        long t0 = System.nanoTime();
        long tokens = 0;
        for (int step = start; step < config.steps(); step++) {
            Arrays.fill(grad, 0f);
            double loss = 0;
            for (int micro = 0; micro < config.gradAccumulation(); micro++) {
                long sample = ((long) step * config.gradAccumulation() + micro) * config.batchSize();
                List<Example> batch = order.batch(sample, config.batchSize());
                Engines.seed(Seeds.mix(seed, 0x2, step, micro)); // dropout masks of this micro-batch
                loss += objective.gradient(theta, batch, true, grad, 1f) / config.gradAccumulation();
                tokens += batch.stream().mapToLong(Example::packedLength).sum();
            }
            float l2 = (float) config.optimizer().l2Decay();
            for (int i = 0; i < grad.length; i++) {
                grad[i] = grad[i] / config.gradAccumulation() + l2 * theta[i]; // ∂/∂θ of (λ/2)||θ||² in L2 mode
            }
            AdamW.clip(config.optimizer().clipNorm(), grad);
            adam.step(theta, grad, config.lrAt(step));
            if (swagConfig.collects(step)) {
                swag.collect(theta);
            }
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
                writeCheckpoint(ckpt, theta, adam, swag, step + 1, metrics);
                listener.onCheckpoint(ckpt);
            }
        }
        // no wall-clock figures in the artifact: a run's folder is a function of its config and seed
        // (tokens/s reach the listener at every step)
        PeftAdapter adapter = new PeftAdapter(config.lora(), theta, baseModel);
        if (swag != null) {
            metrics.putObject("swag")
                    .put("iterates", swag.iterates())
                    .put("start", swagConfig.start())
                    .put("every", swagConfig.every())
                    .put("rank", swagConfig.rank())
                    .put("lr", swagConfig.lr());
        }
        SwagMoments moments = swag;
        AtomicFiles.writeDirectory(runDir, dir -> {
            adapter.writeFiles(dir, decoder.config());
            if (moments != null) {
                moments.write(dir);
            }
            Files.writeString(dir.resolve("metrics.json"), metrics.toPrettyString());
        });
        Checkpoint.delete(ckpt);
    }

    /** One line on a finished run: its last validation accuracy and NLL. */
    public static String summary(Path runDir) {
        try {
            var m = JSON.readTree(runDir.resolve("metrics.json").toFile());
            var v = m.path("validation");
            var loss = m.path("loss");
            String last = loss.size() == 0
                    ? "-"
                    : String.format("%.4f", loss.get(loss.size() - 1).asDouble());
            if (v.size() == 0) {
                return "final training loss " + last;
            }
            var e = v.get(v.size() - 1);
            return String.format(
                    "final training loss %s, validation accuracy %.4f, NLL %.4f",
                    last, e.path("accuracy").asDouble(), e.path("nll").asDouble());
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

    private void writeCheckpoint(Path ckpt, float[] theta, AdamW adam, SwagMoments swag, int step, ObjectNode metrics) {
        ObjectNode info = JSON.createObjectNode();
        info.put("step", step).put("adam_t", adam.t).put("parameters", theta.length);
        info.set("metrics", metrics);
        Map<String, float[]> vectors = new LinkedHashMap<>(Map.of("theta", theta, "adam_m", adam.m, "adam_v", adam.v));
        if (swag != null) {
            swag.saveTo(vectors);
        }
        new Checkpoint(vectors, info).write(ckpt);
    }
}
