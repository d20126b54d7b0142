package dev.loracurve.core.testing;

import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.WordTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny random Llama with a word tokenizer and TREC-format data: what the job, command and service tests train on. */
public final class TinyWorld {
    private static final List<String> WORDS = List.of(
            "Question",
            ":",
            "Type",
            "?",
            "abbreviation",
            "description",
            "thing",
            "human",
            "location",
            "number",
            "how",
            "many",
            "who",
            "where",
            "what",
            "is",
            "the",
            "city",
            "man",
            "mean",
            "why",
            "far");

    private TinyWorld() {}

    /** Writes {@code dir/model} and {@code dir/data/{train,test}.txt} (64 and 16 questions); returns the model folder. */
    public static Path write(Path dir) throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        Files.createDirectories(dir.resolve("data"));
        int vocab = WordTokenizer.write(model, WORDS);
        ModelConfig c = ModelConfig.builder("llama")
                .hiddenSize(16)
                .intermediateSize(32)
                .layers(2)
                .heads(4)
                .kvHeads(2)
                .vocabSize(vocab)
                .ropeTheta(1e4)
                .rmsNormEps(1e-5)
                .tieWordEmbeddings(true)
                .build();
        ModelFolders.write(model, c, name -> true, null);
        String[][] kinds = {
            {"NUM:count", "how many"}, {"HUM:ind", "who is"}, {"LOC:city", "where is"}, {"DESC:reason", "why is"}
        };
        SplittableRandom rng = new SplittableRandom(5);
        for (String split : List.of("train", "test")) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < (split.equals("train") ? 64 : 16); i++) {
                String[] k = kinds[rng.nextInt(kinds.length)];
                lines.add(k[0] + " " + k[1] + " the "
                        + List.of("city", "man", "thing").get(rng.nextInt(3)) + " ?");
            }
            Files.write(dir.resolve("data").resolve(split + ".txt"), lines);
        }
        return model;
    }
}
