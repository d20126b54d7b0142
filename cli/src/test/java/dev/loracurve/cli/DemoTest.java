package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.cli.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `loracurve demo --quick` end to end: world, pretraining, the real stack, the report, the stack down again. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theShortDemoRunsThroughTheStackAndLeavesAReport() throws Exception {
        Path out = dir.resolve("demo");
        assertEquals(
                0,
                Main.run(
                        "demo",
                        "--quick",
                        "--out",
                        out.toString(),
                        "--cache",
                        dir.resolve("cache").toString()));
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals("world", report.get("task").asText());
        for (String method : List.of("map-0", "map-1", "map-2", "ensemble", "linear", "curve-curve")) {
            JsonNode ood = report.get("methods").get(method).get("ood").get("other_task:world");
            assertTrue(
                    ood.has("auroc_mi") && ood.has("mutual_information") && ood.has("accuracy") && ood.has("ece"),
                    method);
        }
        assertTrue(report.get("ood").get("other_task:world").get("items").asInt() > 0);
        assertEquals(2, report.get("path").get("segments_barriers").size(), "loss barriers of both segments");
        assertTrue(Files.size(out.resolve("report.html")) > 1000);
        assertTrue(Files.readString(out.resolve("spec.yaml")).contains("base_model_uri"));
        Stack stack = Stack.read(StackCommands.home(), out.resolve("stack"));
        for (String svc : Stack.SERVICES) {
            assertFalse(stack.alive(svc), svc + " is still running after the demo");
        }
        assertFalse(stack.alive(Stack.KAFKA));
    }
}
