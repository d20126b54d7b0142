package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The `lm` command end to end, in-process, against the reference fixture of stories260K. */
class LmCommandTest {

    private static Path shared() {
        String p = System.getProperty("loracurve.shared");
        return p == null ? Path.of("..", "..", "shared") : Path.of(p);
    }

    private static String[] runCapturing(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {
            String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)
        };
    }

    @Test
    void jsonLastLineMatchesTheReferenceLogits() throws Exception {
        Path model = shared().resolve("models/stories260K");
        Path fixture = shared().resolve("fixtures/stories260K-lora-r4.logits.json");
        assumeTrue(Files.exists(model) && Files.exists(fixture), "../shared absent: skipped");
        JsonNode ref =
                new ObjectMapper().readTree(fixture.toFile()).get("cases").get(2);
        String[] r = runCapturing(
                "lm",
                "--model",
                model.toString(),
                "--adapter",
                shared().resolve("fixtures/stories260K-lora-r4").toString(),
                "--text",
                ref.get("text").asText(),
                "--json");
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].strip().split("\n");
        JsonNode out = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(ref.get("input_ids"), out.get("input_ids"));
        assertEquals(512, out.get("last_logits").size());
        for (int i = 0; i < 512; i++) {
            assertEquals(
                    ref.get("last_logits").get(i).asDouble(),
                    out.get("last_logits").get(i).asDouble(),
                    2e-4);
        }
    }

    @Test
    void badInputIsAMessageAndExitCode() {
        String[] r = runCapturing("lm", "--model", "/nonexistent-model", "--text", "hi");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("error:") && r[2].contains("nonexistent-model"), r[2]);
        String[] missing = runCapturing("lm", "--text", "hi");
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("--model"), missing[2]);
    }
}
