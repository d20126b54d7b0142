package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.cli.study.StudyFile;
import dev.loracurve.core.store.JsonFiles;
import dev.loracurve.core.testing.TinyWorld;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study of one task × two seeds × one ablation on the tiny world: the tables aggregate the
 * seeds, the ablation shares the optima, a rerun reuses every cached stage, and a bad cell is
 * refused before anything runs.
 */
class StudyTest {
    @TempDir
    Path dir;

    private static final String STUDY = """
            name: tiny
            seeds: [3, 4]
            spec:
              base_model_uri: model
              lora: {rank: 2, alpha: 4, target_modules: [q_proj, v_proj]}
              k: 2
              trainer: {steps: 12, batch_size: 4, learning_rate: 0.01, swag: {start: 6, every: 2, rank: 3}}
              curve: {variant: ANCHORED, degree: 2, steps: 6, batch_size: 4, learning_rate: 0.01}
              eval: {methods: [map, swag, ensemble, curve], samples: 3}
            tasks:
              trec:
                task: {name: trec, data_uri: data, validation_split: none}
                eval: {ood: {task: trec, data_uri: data, split: train, limit: 8, protocol: in_template}}
            ablations:
              js-1: {override: {curve: {js_lambda: 1, js_points: 2}}}
            """;

    private String run(String... args) {
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args), String.join(" ", args));
        } finally {
            System.setOut(before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aGridOfCellsBecomesTablesOverSeedsAndRerunsFromTheCache() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        TinyWorld.write(dir);
        Path yaml = dir.resolve("study.yaml");
        Files.writeString(yaml, STUDY);
        String md = run("study", yaml.toString());
        Path out = dir.resolve("tiny");
        assertTrue(md.startsWith(Files.readString(out.resolve("study.md"))), "printed as written");
        for (String row : List.of("| map |", "| swag |", "| ensemble |", "| curve |", "| curve [js-1] |")) {
            assertTrue(md.contains(row), row + " in:\n" + md);
        }
        assertFalse(md.contains("| map [js-1] |"), "the ablation adds only its curve's rows");
        assertTrue(md.contains("trec / in_template:trec"), md);
        String csv = Files.readString(out.resolve("study.csv"));
        assertTrue(csv.contains("\"Accuracy (%)\",\"map\",\"trec\",4,"), "2 seeds × K = 2:\n" + csv);
        assertTrue(csv.contains("\"Accuracy (%)\",\"curve [js-1]\",\"trec\",2,"), csv);
        assertTrue(Files.readString(out.resolve("study.html")).contains("<td>curve [js-1]</td>"));
        assertEquals(2, cells(out, "optima-").size(), "the ablation shares them");
        assertEquals(4, cells(out, "curve-").size());
        assertEquals(4, cells(out, "eval-").size());

        Path report;
        try (Stream<Path> files = Files.walk(out.resolve("cells"))) {
            report = files.filter(p -> p.getFileName().toString().equals("report.json"))
                    .findFirst()
                    .orElseThrow();
        }
        FileTime written = Files.getLastModifiedTime(report);
        assertEquals(md, run("study", yaml.toString()), "the same tables from the cache");
        assertEquals(written, Files.getLastModifiedTime(report), "not evaluated again");

        // scoring fewer test items trains nothing again, and scores again
        Files.writeString(yaml, STUDY.replace("validation_split: none}", "validation_split: none, test_limit: 5}"));
        run("study", yaml.toString());
        assertEquals(2, cells(out, "optima-").size(), "optima shared");
        assertEquals(4, cells(out, "curve-").size(), "curves shared");
        List<Path> evals = cells(out, "eval-");
        assertEquals(8, evals.size(), "evaluated anew");
        long fiveItems = evals.stream()
                .map(e -> JsonFiles.read(e.resolve("report.json")))
                .filter(r -> r.get("items").asInt() == 5)
                .count();
        assertEquals(4, fiveItems, "the new cells score 5 items");
    }

    /** The study's cache folders whose names start with {@code kind}. */
    private static List<Path> cells(Path out, String kind) throws Exception {
        try (Stream<Path> cells = Files.list(out.resolve("cells"))) {
            return cells.filter(p -> p.getFileName().toString().startsWith(kind))
                    .toList();
        }
    }

    @Test
    void aBadCellIsRefusedBeforeAnythingRuns() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        TinyWorld.write(dir);
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, STUDY.replace("js_lambda: 1, js_points: 2", "js_lambda: 1, js_points: 1"));
        PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.run("study", yaml.toString()));
        } finally {
            System.setErr(before);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("trec · js-1 · seed 3") && message.contains("spec.curve.js_points"), message);
        assertFalse(Files.exists(dir.resolve("tiny")), "nothing ran");
    }

    @Test
    void studySeedsShareNoOptimum() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        TinyWorld.write(dir);
        Path yaml = dir.resolve("study.yaml");
        Files.writeString(yaml, STUDY);
        List<Long> seeds = StudyFile.read(yaml).cells().stream()
                .filter(c -> c.ablation().isEmpty())
                .map(c -> c.spec().getSeed())
                .toList();
        assertEquals(List.of(3000L, 4000L), seeds, "runs 3000-3001 and 4000-4001, not 3-4 and 4-5");
    }

    @Test
    void overridesMergeFieldByFieldAndListsReplace() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode base = (ObjectNode) json.readTree("{\"a\":{\"x\":1,\"y\":[1,2]},\"b\":2}");
        ObjectNode merged = StudyFile.merge(base, json.readTree("{\"a\":{\"y\":[3],\"z\":4}}"));
        assertEquals(json.readTree("{\"a\":{\"x\":1,\"y\":[3],\"z\":4},\"b\":2}"), merged);
        assertEquals(json.readTree("{\"a\":{\"x\":1,\"y\":[1,2]},\"b\":2}"), base, "the base is not changed");
    }
}
