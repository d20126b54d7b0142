package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.posterior.SwagMoments;
import dev.loracurve.core.testing.TinyWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run killed with SIGKILL and restarted with the same command ends bit-identical to
 * an uninterrupted run, its SWAG moments too (the kill falls in run-1's SWAG phase or before it);
 * two uninterrupted runs with one seed are bit-identical too.
 */
class TrainResumeTest {
    @TempDir
    Path dir;

    private List<String> command(Path model, Path out) {
        return List.of(
                "train",
                "--model",
                model.toString(),
                "--task",
                "trec",
                "--data",
                dir.resolve("data").toString(),
                "--val-split",
                "test",
                "--out",
                out.toString(),
                "--k",
                "2",
                "--seed",
                "7",
                "--steps",
                "120",
                "--batch-size",
                "4",
                "--grad-accumulation",
                "2",
                "--warmup",
                "10",
                "--dropout",
                "0.1",
                "--checkpoint-every",
                "5",
                "--eval-every",
                "40",
                "--rank",
                "2",
                "--swag-from",
                "60",
                "--swag-every",
                "2",
                "--swag-rank",
                "5");
    }

    @Test
    void killedAndRestartedRunEndsBitIdentical() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path model = TinyWorld.write(dir);
        Path reference = dir.resolve("reference");
        assertEquals(0, Main.run(command(model, reference).toArray(String[]::new)));
        Path again = dir.resolve("again");
        assertEquals(0, Main.run(command(model, again).toArray(String[]::new)));

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "2"),
                "-Dai.djl.pytorch.num_interop_threads=1",
                "dev.loracurve.cli.Main"));
        cmd.addAll(command(model, killed));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log.txt").toFile())
                .start();
        Path ckpt = killed.resolve("run-1.checkpoint");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(
                p.isAlive() && Files.exists(ckpt),
                "the run should be mid-way through run-1: " + Files.readString(dir.resolve("log.txt")));
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
        assertFalse(Files.exists(killed.resolve("run-1").resolve(PeftAdapter.WEIGHTS)), "killed before run-1 finished");
        assertTrue(
                Files.exists(killed.resolve("run-0").resolve(PeftAdapter.WEIGHTS)), "run-0 finished before the kill");

        assertEquals(0, Main.run(command(model, killed).toArray(String[]::new)));
        for (String run : List.of("run-0", "run-1")) {
            byte[] swag = Files.readAllBytes(reference.resolve(run).resolve(SwagMoments.FILE));
            assertArrayEquals(
                    swag, Files.readAllBytes(killed.resolve(run).resolve(SwagMoments.FILE)), run + ": SWAG moments");
            byte[] ref = Files.readAllBytes(reference.resolve(run).resolve(PeftAdapter.WEIGHTS));
            assertArrayEquals(
                    ref,
                    Files.readAllBytes(again.resolve(run).resolve(PeftAdapter.WEIGHTS)),
                    run + ": same seed, same bits");
            assertArrayEquals(
                    ref,
                    Files.readAllBytes(killed.resolve(run).resolve(PeftAdapter.WEIGHTS)),
                    run + ": resumed, same bits");
        }
        assertFalse(Files.exists(killed.resolve("run-1.checkpoint")), "checkpoint removed once the run is done");
        assertFalse(
                Arrays.equals(
                        Files.readAllBytes(reference.resolve("run-0").resolve(PeftAdapter.WEIGHTS)),
                        Files.readAllBytes(reference.resolve("run-1").resolve(PeftAdapter.WEIGHTS))),
                "different seeds, different optima");
    }
}
