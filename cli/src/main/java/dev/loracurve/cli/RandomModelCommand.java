package dev.loracurve.cli;

import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.WordTokenizer;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.SafetensorsWriter;
import dev.loracurve.core.store.WeightFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A Hugging Face model folder with random weights in a named shape: what the benchmarks and the
 * peers' runs (PyTorch + PEFT, llama.cpp) load, so that all of them compute with the same weights.
 */
@Command(
        name = "random-model",
        mixinStandardHelpOptions = true,
        description = "Write a model folder (config.json, model.safetensors, a word-level tokenizer) with random"
                + " weights in a named shape: llama-30m or qwen2.5-0.5b.")
final class RandomModelCommand implements Runnable {
    /** The shapes by name: the benchmark's 30M Llama and Qwen2.5-0.5B's (tied embeddings, qkv biases). */
    static final Map<String, ModelConfig> SHAPES = Map.of(
            "llama-30m",
            BenchCommand.LLAMA_30M,
            "qwen2.5-0.5b",
            ModelConfig.builder("qwen2")
                    .hiddenSize(896)
                    .intermediateSize(4864)
                    .layers(24)
                    .heads(14)
                    .kvHeads(2)
                    .vocabSize(151_936)
                    .ropeTheta(1e6)
                    .rmsNormEps(1e-6)
                    .tieWordEmbeddings(true)
                    .build());

    @Parameters(index = "0", description = "the shape: ${COMPLETION-CANDIDATES}", completionCandidates = Names.class)
    String shape;

    @Option(names = "--out", required = true, description = "the model folder to write (refused when it exists)")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "weights' seed (default ${DEFAULT-VALUE})")
    long seed;

    static final class Names extends ArrayList<String> {
        Names() {
            super(SHAPES.keySet().stream().sorted().toList());
        }
    }

    @Override
    public void run() {
        ModelConfig config = SHAPES.get(shape);
        if (config == null) {
            throw new IllegalArgumentException("unknown shape '" + shape + "'; known: " + new Names());
        }
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists; name a new folder");
        }
        AtomicFiles.writeDirectory(out, dir -> {
            config.write(dir);
            // a word per id: the tokenizer's vocabulary fills the embedding exactly
            List<String> words = new ArrayList<>();
            for (int i = 3; i < config.vocabSize(); i++) {
                words.add("w" + i);
            }
            WordTokenizer.write(dir, words);
            RandomWeights weights = new RandomWeights(seed);
            SafetensorsWriter writer = new SafetensorsWriter();
            config.tensorShapes().forEach((name, dims) -> writer.add(name, dims, weights.read(name, dims)));
            writer.write(dir.resolve(WeightFiles.SINGLE));
        });
        long params = config.tensorShapes().values().stream()
                .mapToLong(d -> {
                    long n = 1;
                    for (long x : d) {
                        n *= x;
                    }
                    return n;
                })
                .sum();
        System.out.printf("%s: %s, %.1fM parameters (F32)%n", out, shape, params / 1e6);
    }
}
