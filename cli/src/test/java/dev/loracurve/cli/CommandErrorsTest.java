package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
            dir.resolve("o").toString()
        };
        String[] all = concat(base, extra);
        return Arrays.asList(extra).contains("--steps") ? all : concat(all, "--steps", "10");
    }

    @Test
    void trainOptions() throws Exception {
        Files.writeString(dir.resolve("d.txt"), "NUM:count how many ?\n");
        // each message says what is wrong with the value, not only the option's name (which the
        // usage text would echo anyway)
        assertSays(error(train("--steps", "0")), "--steps must be > 0, got 0");
        assertSays(error(train("--schedule", "step")), "--schedule must be cosine, linear or constant, got 'step'");
        assertSays(error(train("--warmup", "20")), "--warmup must be between 0 and steps, got 20");
        assertSays(error(train("--targets", "q_proj,c_attn")), "--targets: unknown module 'c_attn' (known: q_proj");
        assertSays(error(train("--rank", "0")), "--rank must be > 0, got 0");
        assertSays(error(train("--dropout", "1.5")), "--dropout must be in [0, 1), got 1.5");
        assertSays(error(train("--val-split", "holdout:5")), "holdout:N needs 0 < N < 1 (the training items), got 5");
        assertSays(error(train("--lr", "abc")), "Invalid value for option '--lr': 'abc' is not a double");
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
        assertSays(task, "unknown task 'mmlu'; known: agnews,");
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
        assertSays(
                error(concat(fit, "--perturb", "uniform:1")), "--perturb must be none, gaussian or sam, got 'uniform'");
        assertSays(error(concat(fit, "--js", "0.5:1")), "--js must be >= 2 to measure diversity, got 1");
        assertSays(error(concat(fit, "--degree", "0")), "--degree must be > 0, got 0");
        assertSays(
                error(
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
                        dir.toString()),
                "--anchors must hold at least 2 optima for an anchored curve, got 1");
        assertSays(
                error(
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
                        "0"),
                "--samples must be > 0, got 0");
    }

    @Test
    void everyCommandThatCallsTheGatewayTakesAToken() {
        CommandLine cli = new CommandLine(new Main());
        for (String name : List.of("run", "report", "experiments", "cancel", "predict")) {
            assertNotNull(
                    cli.getSubcommands().get(name).getCommandSpec().findOption("--token"), name + " lacks --token");
        }
    }

    private static void assertSays(String error, String expected) {
        assertTrue(error.contains(expected), () -> "expected '" + expected + "' in:\n" + error);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
