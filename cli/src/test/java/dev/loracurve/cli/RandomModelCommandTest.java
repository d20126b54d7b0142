package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** random-model writes a folder the decoder loads with the generator's weights; bad requests are refused. */
class RandomModelCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesALoadableModelOfTheShapeAndRefusesAnUnknownShapeOrAnExistingFolder() throws Exception {
        Path out = dir.resolve("m");
        assertEquals(0, Main.run("random-model", "llama-30m", "--out", out.toString(), "--seed", "4"));
        ModelConfig want = RandomModelCommand.SHAPES.get("llama-30m");
        ModelConfig got = ModelConfig.load(out);
        assertEquals(want.hiddenSize(), got.hiddenSize());
        assertEquals(want.numLayers(), got.numLayers());
        assertEquals(want.vocabSize(), got.vocabSize());
        String name = "model.layers.3.mlp.up_proj.weight";
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.load(out, m);
                TextTokenizer tok = TextTokenizer.load(out)) {
            assertArrayEquals(
                    new RandomWeights(4).read(name, want.intermediateSize(), want.hiddenSize()),
                    d.weights().get(name).toFloatArray());
            long[] ids = tok.encode("w3 w" + (want.vocabSize() - 1));
            assertEquals(want.vocabSize() - 1, ids[ids.length - 1], "one word per id, up to the last");
        }
        assertEquals(2, Main.run("random-model", "llama-30m", "--out", out.toString()), "exists");
        Path text = Files.writeString(dir.resolve("words.txt"), "Review: a fine film.\nfine again");
        Path worded = dir.resolve("worded");
        assertEquals(0, Main.run("random-model", "llama-30m", "--out", worded.toString(), "--words", text.toString()));
        try (TextTokenizer tok = TextTokenizer.load(worded)) {
            long[] ids = tok.encode("Review: a fine film. again");
            assertArrayEquals(
                    new long[] {3, 4, 5, 6, 7, 8, 9},
                    Arrays.copyOfRange(ids, ids.length - 7, ids.length),
                    "the file's seven words first, in order, each once");
            long[] last = tok.encode("w" + (want.vocabSize() - 8)); // w3 … filled after the seven words
            assertEquals(want.vocabSize() - 1, last[last.length - 1], "filled up to the shape's vocabulary");
        }
        assertEquals(
                2, Main.run("random-model", "gpt-9", "--out", dir.resolve("x").toString()), "unknown shape");
    }
}
