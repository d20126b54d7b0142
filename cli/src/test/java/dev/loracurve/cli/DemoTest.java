package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.cli.demo.Kernels;
import dev.loracurve.cli.stack.Stack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `loracurve demo --quick` end to end: world, pretraining, the real stack, the report, the stack down again. */
class DemoTest {
    /** The quick demo's table on the pinned code paths (x86-64 baseline, 2 threads), seed 1. */
    static final String PINNED_HEADLINE = """
            method               ACC     ECE       MI | OOD ACC OOD ECE   OOD MI |  AUROC MI
            map-0              52.8%   32.0%   0.0000 |   22.9%   50.6%   0.0000 |     0.500
            map-1              47.2%   38.7%   0.0000 |   25.0%   47.0%   0.0000 |     0.500
            map-2              52.8%   31.4%   0.0000 |   22.9%   49.9%   0.0000 |     0.500
            ensemble           52.8%   33.6%   0.0502 |   25.0%   44.2%   0.0329 |     0.433
            linear             25.0%   49.8%   0.0366 |   18.8%   55.2%   0.0286 |     0.517
            curve-curve        44.4%   26.7%   0.2263 |   25.0%   41.6%   0.0764 |     0.259
            loss barrier between optima 0 and 1 (nats): straight line 1.253 train / 0.843 test, curve 0.763 train / 0.477 test
            loss barrier between optima 1 and 2 (nats): straight line 1.104 train / 0.992 test, curve 0.082 train / 0.187 test
            """;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theShortDemoRunsThroughTheStackAndLeavesAReport() throws Exception {
        Path out = dir.resolve("demo");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(
                    0,
                    Main.run(
                            "demo",
                            "--quick",
                            "--out",
                            out.toString(),
                            "--cache",
                            dir.resolve("cache").toString()));
        } finally {
            System.setOut(stdout);
        }
        String headline = printed.toString(StandardCharsets.UTF_8);
        stdout.print(headline);
        // surefire runs the cli tests on the demo's pinned code paths (cli/pom.xml, as ./loracurve
        // demo does): a change that moves any number of the quick demo shows here
        assertTrue(Kernels.arePinned(), "the test JVM runs with " + Kernels.describe());
        assertTrue(headline.contains(PINNED_HEADLINE), "the quick demo's numbers moved:\n" + headline);
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
