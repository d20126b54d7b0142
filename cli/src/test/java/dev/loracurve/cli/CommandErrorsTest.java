package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invalid options are refused with exit code 2 and a message naming the option. */
class CommandErrorsTest {
    @TempDir
    Path dir;

    private String error(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            assertEquals(2, Main.run(args), String.join(" ", args));
        } finally {
            System.setErr(err);
        }
        return e.toString(StandardCharsets.UTF_8);
    }

    private String[] train(String... extra) {
        String[] base = {
            "train",
            "--model",
            dir.toString(),
            "--task",
            "trec",
            "--data",
            dir.resolve("d.txt").toString(),
            "--out",
            dir.resolve("o").toString(),
            "--steps",
            "10"
        };
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainOptions() throws Exception {
        Files.writeString(dir.resolve("d.txt"), "NUM:count how many ?\n");
        assertTrue(error(train("--steps", "0")).contains("--steps"));
        assertTrue(error(train("--schedule", "step")).contains("--schedule"));
        assertTrue(error(train("--warmup", "20")).contains("--warmup"));
        assertTrue(error(train("--targets", "q_proj,c_attn")).contains("--targets: unknown module 'c_attn'"));
        assertTrue(error(train("--rank", "0")).contains("--rank"));
        assertTrue(error(train("--dropout", "1.5")).contains("--dropout"));
        assertTrue(error(train("--val-split", "holdout:5")).contains("holdout"));
        assertTrue(error(train("--lr", "abc")).contains("--lr"));
        String task = error(
                "train",
                "--model",
                dir.toString(),
                "--task",
                "mmlu",
                "--data",
                dir.toString(),
                "--out",
                dir.toString(),
                "--steps",
                "1");
        assertTrue(task.contains("unknown task 'mmlu'"), task);
    }

    @Test
    void curveAndEvalOptions() {
        String[] fit = {
            "curve",
            "fit",
            "--model",
            dir.toString(),
            "--task",
            "trec",
            "--data",
            dir.toString(),
            "--out",
            dir.resolve("c").toString(),
            "--steps",
            "5",
            "--anchors",
            dir.resolve("a").toString(),
            dir.resolve("b").toString()
        };
        assertTrue(error(concat(fit, "--perturb", "uniform:1")).contains("--perturb"));
        assertTrue(error(concat(fit, "--js", "0.5:1")).contains("--js"));
        assertTrue(error(concat(fit, "--degree", "0")).contains("--degree"));
        assertTrue(error(
                        "curve",
                        "fit",
                        "--model",
                        dir.toString(),
                        "--task",
                        "trec",
                        "--data",
                        dir.toString(),
                        "--out",
                        dir.toString(),
                        "--steps",
                        "5",
                        "--anchors",
                        dir.toString())
                .contains("--anchors"));
        assertTrue(error(
                        "eval",
                        "--model",
                        dir.toString(),
                        "--task",
                        "trec",
                        "--data",
                        dir.toString(),
                        "--out",
                        dir.toString(),
                        "--samples",
                        "0")
                .contains("--samples"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
