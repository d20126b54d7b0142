package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.testing.TinyWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train → curve fit → curve point → path → eval through the commands, on a tiny generated world. */
class PipelineTest {
    @TempDir
    Path dir;

    private static void ok(String... args) {
        assertEquals(0, Main.run(args), String.join(" ", args));
    }

    @Test
    void commandsChainIntoAReport() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path model = TinyWorld.write(dir);
        String data = dir.resolve("data").toString();
        Path runs = dir.resolve("runs");
        ok(
                "train",
                "--model",
                model.toString(),
                "--task",
                "trec",
                "--data",
                data,
                "--val-split",
                "test",
                "--out",
                runs.toString(),
                "--k",
                "3",
                "--steps",
                "30",
                "--batch-size",
                "8",
                "--rank",
                "2",
                "--checkpoint-every",
                "0");
        Path curve = dir.resolve("curve");
        ok(
                "curve",
                "fit",
                "--model",
                model.toString(),
                "--task",
                "trec",
                "--data",
                data,
                "--anchors",
                runs.resolve("run-0").toString(),
                runs.resolve("run-1").toString(),
                runs.resolve("run-2").toString(),
                "--steps",
                "10",
                "--batch-size",
                "8",
                "--js",
                "0.1:2",
                "--perturb",
                "gaussian:0.001",
                "--out",
                curve.toString());
        Path free = dir.resolve("free");
        ok(
                "curve",
                "fit",
                "--model",
                model.toString(),
                "--task",
                "trec",
                "--data",
                data,
                "--free",
                "--seed",
                "1",
                "--rank",
                "2",
                "--steps",
                "10",
                "--batch-size",
                "8",
                "--out",
                free.toString());
        // φ at a junction is the anchor itself
        ok(
                "curve",
                "point",
                "--curve",
                curve.toString(),
                "--t",
                "0.5",
                "--out",
                dir.resolve("mid").toString());
        ModelConfig config = ModelConfig.load(model);
        assertArrayEquals(
                PeftAdapter.read(runs.resolve("run-1"), config).theta(),
                PeftAdapter.read(dir.resolve("mid"), config).theta(),
                1e-6f);
        Path path = dir.resolve("path");
        ok(
                "path",
                "--model",
                model.toString(),
                "--task",
                "trec",
                "--data",
                data,
                "--curve",
                curve.toString(),
                "--grid",
                "5",
                "--out",
                path.toString());
        JsonNode profile = new ObjectMapper().readTree(path.resolve("path.json").toFile());
        assertEquals(5, profile.get("points").size());
        assertEquals(2, profile.get("segments_barriers").size());
        assertTrue(Files.size(path.resolve("path.png")) > 1000);
        Path eval = dir.resolve("eval");
        ok(
                "eval",
                "--model",
                model.toString(),
                "--task",
                "trec",
                "--data",
                data,
                "--anchors",
                runs.resolve("run-0").toString(),
                runs.resolve("run-1").toString(),
                runs.resolve("run-2").toString(),
                "--curve",
                curve.toString(),
                free.toString(),
                "--samples",
                "3",
                "--ood",
                "trec:" + dir.resolve("data").resolve("train.txt"),
                "--ood",
                "in_template:trec:" + dir.resolve("data").resolve("train.txt"),
                "--ood-limit",
                "10",
                "--plane-grid",
                "4",
                "--path",
                path.resolve("path.json").toString(),
                "--out",
                eval.toString());
        JsonNode report =
                new ObjectMapper().readTree(eval.resolve("report.json").toFile());
        for (String method :
                List.of("map-0", "map-1", "map-2", "ensemble", "linear", "mcdropout", "curve-curve", "curve-free")) {
            JsonNode r = report.get("methods").get(method);
            assertTrue(r != null, method);
            for (String f : List.of(
                    "accuracy",
                    "nll",
                    "ece",
                    "brier",
                    "entropy",
                    "expected_entropy",
                    "mutual_information",
                    "auroc_error_mi",
                    "auroc_error_entropy")) {
                assertTrue(r.has(f), method + "." + f);
            }
            assertTrue(r.get("ood").get("other_task:trec").has("accuracy"), method);
            assertTrue(r.get("ood").get("in_template:trec").has("auroc_mi"), method);
        }
        assertEquals(3, report.get("methods").get("curve-curve").get("per_t").size());
        assertEquals(4, report.get("plane").get("loss").get(3).size(), "a 4 × 4 loss plane");
        assertTrue(Files.readString(eval.resolve("report.html")).contains("The loss plane through three optima"));
        List<String> lines = Files.readAllLines(eval.resolve("predictions.jsonl"));
        assertEquals(16, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals(1, first.get("probs").get("map-0").size());
        assertEquals(3, first.get("probs").get("ensemble").size());
        assertEquals(6, first.get("probs").get("ensemble").get(0).size());
        assertTrue(Files.readString(eval.resolve("report.html")).contains("data:image/png;base64,"));
    }
}
