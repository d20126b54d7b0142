package dev.loracurve.cli;

import dev.loracurve.cli.bench.ModelShapes;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.WordTokenizer;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.SafetensorsWriter;
import dev.loracurve.core.store.WeightFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** The shapes by name: the benchmark's 30M Llama and Qwen2.5-0.5B's. */
    static final Map<String, ModelConfig> SHAPES = ModelShapes.BY_NAME;

    @Parameters(index = "0", description = "the shape: ${COMPLETION-CANDIDATES}", completionCandidates = Names.class)
    String shape;

    @Option(names = "--out", required = true, description = "the model folder to write (refused when it exists)")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "weights' seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--words",
            description = "text files whose words (as the tokenizer splits them) come first in the vocabulary,"
                    + " so that their text tokenizes: a task's data, its prompt words (repeatable)")
    List<Path> wordFiles = new ArrayList<>();

    static final class Names extends ArrayList<String> {
        Names() {
            super(SHAPES.keySet().stream().sorted().toList());
        }
    }

    /** The files' words, then w3, w4, … up to exactly {@code size} words (a word per id). */
    private Set<String> vocabulary(int size) {
        Set<String> words = new LinkedHashSet<>();
        for (Path f : wordFiles) {
            try {
                WordTokenizer.addPieces(Files.readString(f), words);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --words " + f, e);
            }
        }
        if (words.size() > size) {
            throw new IllegalArgumentException(
                    "--words: " + words.size() + " distinct words exceed the shape's vocabulary of " + size);
        }
        for (int i = 3; words.size() < size; i++) {
            words.add("w" + i);
        }
        return words;
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
            WordTokenizer.write(dir, vocabulary(config.vocabSize() - 3));
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
