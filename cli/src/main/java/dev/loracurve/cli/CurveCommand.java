package dev.loracurve.cli;

import dev.loracurve.core.config.Violations;
import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.curve.CurveJob;
import dev.loracurve.core.curve.CurveShape;
import dev.loracurve.core.curve.Diversity;
import dev.loracurve.core.curve.Perturbation;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.OptimizerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    static final class Fit implements Runnable, ConfigFlags {
        @Mixin
        TaskOptions taskOptions;

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
        int segments;

        @Option(
                names = "--degree",
                defaultValue = "" + CurveShape.Builder.DEFAULT_DEGREE,
                description = "n, degree of each segment")
        int degree;

        @Option(names = "--order", defaultValue = "given", description = "anchor order: given or nearest")
        String order;

        @Option(names = "--init-noise", defaultValue = "0", description = "σ of noise added to interior points at init")
        double initNoise;

        @Option(names = "--perturb", description = "gaussian:SIGMA or sam:RHO")
        String perturb;

        @Option(names = "--js", description = "LAMBDA:M, the Jensen–Shannon regulariser over M points")
        String js;

        @Option(
                names = "--diversity",
                defaultValue = "js",
                description = "the term --js configures: js, or cosine (+ LAMBDA · mean cos² between the M points' θ,"
                        + " as learning-subspaces)")
        String diversity;

        @Option(names = "--steps", required = true)
        int steps;

        @Option(names = "--batch-size", defaultValue = "" + CurveFitConfig.Builder.DEFAULT_BATCH_SIZE)
        int batchSize;

        @Mixin
        OptimizerOptions optimizer;

        @Option(
                names = "--decay-on",
                defaultValue = "theta",
                description = "theta: L2 on θ_t (dnn-mode-connectivity); points: AdamW's decay of the control points")
        String decayOn;

        @Option(names = "--points-per-step", defaultValue = "1")
        int pointsPerStep;

        @Option(names = "--dropout", defaultValue = "false", description = "LoRA dropout while fitting")
        boolean dropout;

        @Option(
                names = "--rank",
                defaultValue = "" + LoraConfig.Builder.DEFAULT_RANK,
                description = "free curve from scratch: LoRA rank")
        int rank;

        @Option(names = "--alpha", defaultValue = "" + LoraConfig.Builder.DEFAULT_ALPHA)
        double alpha;

        @Option(names = "--train-split", defaultValue = "train")
        String trainSplit;

        @Option(names = "--train-limit", defaultValue = "0")
        int trainLimit;

        @Option(names = "--checkpoint-every", defaultValue = "" + CurveFitConfig.Builder.DEFAULT_CHECKPOINT_EVERY)
        int checkpointEvery;

        @Override
        public Map<String, String> flags() {
            Map<String, String> f = new HashMap<>(Map.of(
                    "steps", "--steps",
                    "batchSize", "--batch-size",
                    "pointsPerStep", "--points-per-step",
                    "checkpointEvery", "--checkpoint-every",
                    "perturbation.kind", "--perturb",
                    "kind", "--perturb",
                    "perturbation.scale", "--perturb",
                    "diversity.weight", "--js",
                    "diversity.points", "--js",
                    "diversity.kind", "--diversity"));
            f.putAll(Map.of(
                    "degree", "--degree",
                    "segments", "--segments",
                    "order", "--order",
                    "initNoise", "--init-noise",
                    "anchors", "--anchors",
                    "r", "--rank",
                    "alpha", "--alpha",
                    "trainSplit.limit", "--train-limit"));
            f.putAll(OptimizerOptions.FLAGS);
            f.putAll(TaskOptions.FLAGS);
            return f;
        }

        @Override
        public void run() {
            String[] perturbation = parse(perturb, "--perturb", "none:0");
            String[] jsParts = parse(js, "--js", "0:0");
            OptimizerConfig.DecayMode mode = switch (decayOn) {
                case "theta" -> OptimizerConfig.DecayMode.L2;
                case "points" -> OptimizerConfig.DecayMode.DECOUPLED;
                default ->
                    throw new IllegalArgumentException("--decay-on must be theta or points, got '" + decayOn + "'");
            };
            Violations v = new Violations(); // every bad flag at once, not the first config's
            CurveFitConfig config = v.collect(() -> CurveFitConfig.builder()
                    .steps(steps)
                    .batchSize(batchSize)
                    .optimizer(o -> optimizer.apply(o).decayMode(mode))
                    .pointsPerStep(pointsPerStep)
                    .perturbation(Perturbation.Kind.parse(perturbation[0]), number(perturbation[1], "--perturb"))
                    .diversity(number(jsParts[0], "--js"), (int) number(jsParts[1], "--js"))
                    .diversityKind(Diversity.Kind.parse(diversity))
                    .dropout(dropout)
                    .checkpointEvery(checkpointEvery)
                    .build());
            TaskData taskData = v.collect(() -> taskOptions
                    .data()
                    .train(trainSplit, trainLimit)
                    .validation("none", 0)
                    .build());
            CurveShape shape = v.collect(() -> CurveShape.builder()
                    .variant(start.free ? CurveShape.Variant.FREE : CurveShape.Variant.ANCHORED)
                    .segments(segments)
                    .degree(degree)
                    .order(CurveShape.AnchorOrder.parse(order))
                    .initNoise(initNoise)
                    .build());
            LoraConfig scratch = v.collect(() ->
                    LoraConfig.builder().rank(rank).alpha(alpha).dropout(0).build());
            List<Path> anchors = start.anchors == null ? List.of() : start.anchors;
            if (shape != null) {
                v.collect(() -> {
                    shape.checkAnchors(anchors.size());
                    return shape;
                });
            }
            v.throwIfAny();
            CurveJob job = new CurveJob(taskOptions.model, taskData, anchors, shape, scratch, config, seed);
            double[] rate = {Double.NaN};
            try (ProgressBar bar = Progress.bar("curve", steps)) {
                job.fit(out, (step, total, loss, tps) -> {
                    bar.stepTo(step);
                    bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", loss, tps));
                    rate[0] = tps;
                });
            }
            System.out.println("curve written to " + out
                    + (Double.isNaN(rate[0]) ? "" : String.format(" (%.0f tokens/s over this run's steps)", rate[0])));
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
