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
            JsonNode m = report.get("methods").get(method);
            for (JsonNode section : List.of(m, m.get("ood").get("other_task:world"))) {
                double acc = section.get("accuracy").asDouble();
                double mi = section.get("mutual_information").asDouble();
                assertTrue(acc >= 0 && acc <= 1, method + " accuracy " + acc);
                assertTrue(section.get("ece").asDouble() >= 0, method + " ece");
                if (method.startsWith("map-")) {
                    // one model: no disagreement, so MI is exactly 0 and cannot rank anything
                    assertEquals(0.0, mi, 0.0, method + " MI");
                } else {
                    assertTrue(mi > 0, method + " averages models that disagree somewhere: MI " + mi);
                }
            }
            double auroc = m.get("ood").get("other_task:world").get("auroc_mi").asDouble();
            if (method.startsWith("map-")) {
                assertEquals(0.5, auroc, 0.0, method + ": a constant MI ranks at chance exactly");
            } else {
                assertTrue(auroc >= 0 && auroc <= 1, method + " AUROC " + auroc);
            }
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
