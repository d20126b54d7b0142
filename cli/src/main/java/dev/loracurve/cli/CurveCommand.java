package dev.loracurve.cli;

import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.curve.CurveJob;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Curves in LoRA space: fit one, or export a point of one as a PEFT adapter. */
@Command(
        name = "curve",
        mixinStandardHelpOptions = true,
        description = "Fit segmented Bézier curves; export curve points.",
        subcommands = {CurveCommand.Fit.class, CurveCommand.Point.class})
final class CurveCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "fit",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = "Fit an anchored curve through K optima, or a free curve (from adapters or from scratch).")
    static final class Fit implements Runnable {
        @Option(names = "--model", required = true)
        Path model;

        @Option(names = "--task", required = true)
        String task;

        @Option(names = "--data", required = true)
        Path data;

        @Option(names = "--out", required = true, description = "curve folder to write")
        Path out;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Start start;

        static final class Start {
            @Option(names = "--anchors", arity = "1..*", description = "the optima (PEFT adapters), in order")
            List<Path> anchors;

            @Option(names = "--free", description = "train every control point (with --anchors: start from them)")
            boolean free;
        }

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--segments", description = "S (anchored: K - 1; free from scratch: default 1)")
        Integer segments;

        @Option(names = "--degree", defaultValue = "2", description = "n, degree of each segment")
        int degree;

        @Option(names = "--order", defaultValue = "given", description = "anchor order: given or nearest")
        String order;

        @Option(names = "--init-noise", defaultValue = "0", description = "σ of noise added to interior points at init")
        double initNoise;

        @Option(names = "--perturb", description = "gaussian:SIGMA or sam:RHO")
        String perturb;

        @Option(names = "--js", description = "LAMBDA:M, the Jensen–Shannon regulariser over M points")
        String js;

        @Option(names = "--steps", required = true)
        int steps;

        @Option(names = "--batch-size", defaultValue = "16")
        int batchSize;

        @Option(names = "--lr", defaultValue = "3e-3")
        double lr;

        @Option(names = "--warmup", defaultValue = "0")
        int warmup;

        @Option(names = "--schedule", defaultValue = "cosine")
        String schedule;

        @Option(names = "--weight-decay", defaultValue = "0")
        double weightDecay;

        @Option(names = "--decay-on", defaultValue = "theta", description = "theta or points")
        String decayOn;

        @Option(names = "--clip-norm", defaultValue = "1.0")
        double clipNorm;

        @Option(names = "--points-per-step", defaultValue = "1")
        int pointsPerStep;

        @Option(names = "--dropout", defaultValue = "false", description = "LoRA dropout while fitting")
        boolean dropout;

        @Option(names = "--rank", defaultValue = "8", description = "free curve from scratch: LoRA rank")
        int rank;

        @Option(names = "--alpha", defaultValue = "16")
        double alpha;

        @Option(names = "--train-split", defaultValue = "train")
        String trainSplit;

        @Option(names = "--train-limit", defaultValue = "0")
        int trainLimit;

        @Option(names = "--cues", split = ",")
        List<String> cues;

        @Option(names = "--max-length", defaultValue = "256")
        int maxLength;

        @Option(names = "--checkpoint-every", defaultValue = "50")
        int checkpointEvery;

        @Override
        public void run() {
            String[] perturbation = parse(perturb, "--perturb", "none:0");
            String[] jsParts = parse(js, "--js", "0:0");
            CurveFitConfig config = new CurveFitConfig(
                    steps,
                    batchSize,
                    lr,
                    warmup,
                    schedule,
                    weightDecay,
                    decayOn,
                    clipNorm,
                    pointsPerStep,
                    perturbation[0],
                    number(perturbation[1], "--perturb"),
                    number(jsParts[0], "--js"),
                    (int) number(jsParts[1], "--js"),
                    dropout,
                    checkpointEvery,
                    maxLength);
            TaskData taskData = new TaskData(
                    Task.byName(task), data, trainSplit, "none", "test", trainLimit, 0, 0, cues, maxLength);
            CurveJob job;
            try {
                job = new CurveJob(
                        model,
                        taskData,
                        start.anchors == null ? List.of() : start.anchors,
                        start.free,
                        segments,
                        degree,
                        order,
                        initNoise,
                        seed,
                        config,
                        rank,
                        alpha);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage());
            }
            try (ProgressBar bar = Progress.bar("curve", steps)) {
                job.fit(out, (step, total, loss, tps) -> {
                    bar.stepTo(step);
                    bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", loss, tps));
                });
            }
            System.out.println("curve written to " + out);
        }

        private static String[] parse(String value, String option, String none) {
            String v = value == null ? none : value;
            String[] parts = v.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException(option + " takes KIND:VALUE or LAMBDA:M, got '" + v + "'");
            }
            return parts;
        }

        private static double number(String s, String option) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + s + "' is not a number");
            }
        }
    }

    @Command(
            name = "point",
            mixinStandardHelpOptions = true,
            description = "Write the PEFT adapter of φ(T): the same r, alpha and targets as the control points.")
    static final class Point implements Runnable {
        @Option(names = "--curve", required = true)
        Path curve;

        @Option(names = "--t", required = true)
        double t;

        @Option(names = "--out", required = true)
        Path out;

        @Override
        public void run() {
            CurveFolder.writePoint(curve, t, out);
            System.out.println("φ(" + t + ") written to " + out);
        }
    }
}
