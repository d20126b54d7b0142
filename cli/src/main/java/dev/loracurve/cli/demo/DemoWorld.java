package dev.loracurve.cli.demo;

import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.model.WordTokenizer;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.SafetensorsWriter;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.core.train.Pretrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The demo's self-contained experiment material: a generated {@link World}, its word-level
 * tokenizer, and a small Llama-architecture base pretrained (all parameters) on the statements
 * about the seen people. Built once per settings into {@code <cache>/world-<hash>/} (model/ and
 * data/), atomically; later runs reuse it.
 *
 * @param seen   people the base learns about (questions: train / validation / test)
 * @param unseen people it never sees (questions: ood)
 */
public record DemoWorld(long seed, int seen, int unseen, int hidden, int layers, int heads, Pretrainer pretrainer) {
    /** Bumped whenever World or the pretraining changes what gets built, so that caches are rebuilt. */
    private static final String GENERATION = "world-2";

    /** What `loracurve demo` uses: about a minute of pretraining on 2 cores. */
    public static DemoWorld standard() {
        return new DemoWorld(7, 64, 32, 64, 2, 4, new Pretrainer(1200, 32, Pretrainer.optimizer(1e-2, 60), 7));
    }

    /** A smaller world for the integration test. */
    public static DemoWorld quick() {
        return new DemoWorld(7, 24, 12, 32, 1, 2, new Pretrainer(300, 32, Pretrainer.optimizer(1e-2, 20), 7));
    }

    public ModelConfig modelConfig(int vocab) {
        return ModelConfig.builder("llama")
                .hiddenSize(hidden)
                .intermediateSize(hidden * 8 / 3)
                .layers(layers)
                .heads(heads)
                .vocabSize(vocab)
                .ropeTheta(1e4)
                .rmsNormEps(1e-5)
                .tieWordEmbeddings(true)
                .build();
    }

    /** The folder holding model/ and data/, built when missing. */
    public Path prepare(Path cache, Pretrainer.Listener listener) {
        String key = GENERATION + " " + this + " " + Kernels.describe(); // a base per code path
        Path dir = cache.resolve(
                "world-" + Sha256.ofBytes(key.getBytes(StandardCharsets.UTF_8)).substring(0, 12));
        if (Files.exists(dir.resolve("model").resolve("model.safetensors")) && Files.exists(dir.resolve("data"))) {
            return dir;
        }
        World world = World.generate(seed, seen, unseen);
        AtomicFiles.writeDirectory(dir, tmp -> {
            world.writeData(tmp.resolve("data"), 0.5, 0.1);
            Path model = tmp.resolve("model");
            Files.createDirectories(model);
            ModelConfig config = modelConfig(WordTokenizer.write(model, world.vocabulary()));
            config.write(model);
            List<long[]> sequences;
            try (TextTokenizer tok = TextTokenizer.load(model)) {
                sequences = world.sentences().stream().map(tok::encode).toList();
            }
            Map<String, float[]> weights = pretrainer.train(config, sequences, listener);
            SafetensorsWriter out = new SafetensorsWriter();
            config.tensorShapes().forEach((name, shape) -> out.add(name, shape, weights.get(name)));
            out.write(model.resolve("model.safetensors"));
            Files.writeString(tmp.resolve("settings.txt"), key + "\n");
        });
        return dir;
    }
}
