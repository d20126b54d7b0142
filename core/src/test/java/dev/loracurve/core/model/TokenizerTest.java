package dev.loracurve.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.testing.Shared;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No silent truncation (DJL cuts at 512 ids by default), and BOS as tokenizer_config.json says. */
class TokenizerTest {
    @TempDir
    Path dir;

    @Test
    void longTextsAreNotTruncated() {
        try (TextTokenizer tok = TextTokenizer.load(Shared.require("models/stories260K"))) {
            String text = "Once upon a time there was a little girl named Lily. ".repeat(60);
            long[] ids = tok.encode(text);
            assertTrue(ids.length > 600, "got " + ids.length + " ids");
            assertEquals(1, ids[0], "BOS first");
            assertEquals(ids.length - 1, tok.encodeContinuation(text).length, "continuations carry no BOS");
        }
    }

    @Test
    void generatedWordTokenizerLoadsWithBosAndWithoutTruncation() {
        WordTokenizer.write(dir, List.of("hello", "world", "!"));
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertTrue(tok.addsBos());
            long[] ids = tok.encode("hello world !");
            assertEquals(List.of(1L, 3L, 4L, 5L), Arrays.stream(ids).boxed().toList());
            assertEquals(1 + 3 * 400, tok.encode("hello world ! ".repeat(400)).length);
        }
    }
}
