package dev.loracurve.service;

import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveJob;
import dev.loracurve.core.eval.EvalJob;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.Schedule;
import dev.loracurve.core.train.Seeds;
import dev.loracurve.core.train.TrainConfig;
import dev.loracurve.proto.v1.CurveSpec;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.LoraSpec;
import dev.loracurve.proto.v1.TaskSpec;
import dev.loracurve.proto.v1.TrainerSpec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ExperimentSpec → the core's jobs, and the checks that come first: every violation named by its
 * field path, so that a client sees "spec.lora.rank must be > 0, got 0" and not a stack trace from
 * a service an hour later. The defaults the .proto files document live here.
 */
public final class Specs {
    public static final int DEFAULT_MAX_LENGTH = 256;

    private Specs() {}

    /** Throws {@link InvalidSpecException} listing every violation; reads the model's config.json and checks data paths. */
    public static void validate(ExperimentSpec s) {
        List<String> v = new ArrayList<>();
        Path model = check(v, "spec.base_model_uri", s.getBaseModelUri());
        if (model != null) {
            if (!Files.isRegularFile(model.resolve("config.json"))) {
                v.add("spec.base_model_uri: no model folder at " + model + " (config.json missing)");
            } else {
                try {
                    ModelConfig.load(model);
                } catch (RuntimeException e) {
                    v.add("spec.base_model_uri: " + e.getMessage());
                }
            }
        }
        task(v, "spec.task", s.getTask());
        LoraSpec l = s.getLora();
        positive(v, "spec.lora.rank", l.getRank());
        positive(v, "spec.lora.alpha", l.getAlpha());
        if (!(l.getDropout() >= 0 && l.getDropout() < 1)) {
            v.add("spec.lora.dropout must be in [0, 1), got " + l.getDropout());
        }
        if (l.getTargetModulesCount() == 0) {
            v.add("spec.lora.target_modules must name at least one of " + Projection.names());
        }
        for (String t : l.getTargetModulesList()) {
            if (Projection.byName(t) == null) {
                v.add("spec.lora.target_modules: unknown module '" + t + "' (known: " + Projection.names() + ")");
            }
        }
        TrainerSpec t = s.getTrainer();
        positive(v, "spec.trainer.steps", t.getSteps());
        positive(v, "spec.trainer.batch_size", t.getBatchSize());
        positive(v, "spec.trainer.learning_rate", t.getLearningRate());
        schedule(v, "spec.trainer", t.getSchedule(), t.getWarmupSteps(), t.getSteps());
        nonNegative(v, "spec.trainer.grad_accumulation", t.getGradAccumulation());
        nonNegative(v, "spec.trainer.weight_decay", t.getWeightDecay());
        nonNegative(v, "spec.trainer.clip_norm", t.getClipNorm());
        nonNegative(v, "spec.trainer.checkpoint_every", t.getCheckpointEvery());
        nonNegative(v, "spec.trainer.eval_every", t.getEvalEvery());
        EvalSpec e = s.getEval();
        boolean wantsCurve = e.getMethodsList().contains("curve");
        CurveSpec c = s.getCurve();
        if (s.getK() < 1) {
            v.add("spec.k must be >= 1, got " + s.getK());
        } else if (wantsCurve && c.getVariant() == CurveSpec.Variant.ANCHORED && s.getK() < 2) {
            v.add("spec.k must be >= 2 for an anchored curve, got " + s.getK());
        }
        if (wantsCurve) {
            if (c.getVariant() == CurveSpec.Variant.VARIANT_UNSPECIFIED) {
                v.add("spec.curve.variant must be ANCHORED or FREE");
            }
            if (c.getDegree() < 1) {
                v.add("spec.curve.degree must be >= 1, got " + c.getDegree());
            }
            if (c.getSegments() < 0
                    || (c.getVariant() == CurveSpec.Variant.ANCHORED
                            && c.getSegments() != 0
                            && c.getSegments() != s.getK() - 1)) {
                v.add("spec.curve.segments must be 0 or K - 1 = " + (s.getK() - 1)
                        + " for an anchored curve (any S >= 1 " + "for a free one), got " + c.getSegments());
            }
            oneOf(v, "spec.curve.order", c.getOrder(), "", "given", "nearest");
            oneOf(v, "spec.curve.perturbation", c.getPerturbation(), "", "none", "gaussian", "sam");
            nonNegative(v, "spec.curve.perturbation_scale", c.getPerturbationScale());
            nonNegative(v, "spec.curve.js_lambda", c.getJsLambda());
            if (c.getJsLambda() > 0 && c.getJsPoints() < 2) {
                v.add("spec.curve.js_points must be >= 2 when js_lambda > 0, got " + c.getJsPoints());
            }
            positive(v, "spec.curve.steps", c.getSteps());
            positive(v, "spec.curve.batch_size", c.getBatchSize());
            positive(v, "spec.curve.learning_rate", c.getLearningRate());
            schedule(v, "spec.curve", c.getSchedule(), c.getWarmupSteps(), c.getSteps());
            nonNegative(v, "spec.curve.weight_decay", c.getWeightDecay());
            nonNegative(v, "spec.curve.clip_norm", c.getClipNorm());
            nonNegative(v, "spec.curve.points_per_step", c.getPointsPerStep());
            nonNegative(v, "spec.curve.checkpoint_every", c.getCheckpointEvery());
            nonNegative(v, "spec.curve.init_noise", c.getInitNoise());
        }
        if (e.getMethodsCount() == 0) {
            v.add("spec.eval.methods must name at least one of " + EvalJob.METHODS);
        }
        for (String m : e.getMethodsList()) {
            if (!EvalJob.METHODS.contains(m)) {
                v.add("spec.eval.methods: unknown method '" + m + "' (known: " + String.join(", ", EvalJob.METHODS)
                        + ")");
            }
        }
        if (e.getSamples() < 1) {
            v.add("spec.eval.samples must be >= 1, got " + e.getSamples());
        }
        if (e.getMethodsList().contains("mcdropout") && !(e.getMcDropout() > 0 && e.getMcDropout() < 1)) {
            v.add("spec.eval.mc_dropout must be in (0, 1) for mcdropout, got " + e.getMcDropout());
        }
        nonNegative(v, "spec.eval.batch_size", e.getBatchSize());
        if (e.getPathGrid() < 0 || e.getPathGrid() == 1) {
            v.add("spec.eval.path_grid must be 0 or >= 2, got " + e.getPathGrid());
        }
        if (e.hasOod()) {
            knownTask(v, "spec.eval.ood.task", e.getOod().getTask());
            dataPath(v, "spec.eval.ood.data_uri", e.getOod().getDataUri());
            nonNegative(v, "spec.eval.ood.limit", e.getOod().getLimit());
        }
        if (!v.isEmpty()) {
            throw new InvalidSpecException(v);
        }
    }

    private static void task(List<String> v, String field, TaskSpec t) {
        knownTask(v, field + ".name", t.getName());
        dataPath(v, field + ".data_uri", t.getDataUri());
        nonNegative(v, field + ".train_limit", t.getTrainLimit());
        nonNegative(v, field + ".validation_limit", t.getValidationLimit());
        nonNegative(v, field + ".test_limit", t.getTestLimit());
        if (t.getMaxLength() != 0 && t.getMaxLength() < 8) {
            v.add(field + ".max_length must be >= 8 (or 0 for " + DEFAULT_MAX_LENGTH + "), got " + t.getMaxLength());
        }
        String val = t.getValidationSplit();
        if (val.startsWith("holdout:") && !val.substring(8).matches("[1-9][0-9]*")) {
            v.add(field + ".validation_split: holdout:N needs a positive N, got '" + val + "'");
        }
    }

    private static void knownTask(List<String> v, String field, String name) {
        if (!Task.registry().containsKey(name)) {
            v.add(field + ": unknown task '" + name + "' (known: "
                    + String.join(", ", Task.registry().keySet()) + ")");
        }
    }

    private static void dataPath(List<String> v, String field, String uri) {
        Path p = check(v, field, uri);
        if (p != null && !Files.exists(p)) {
            v.add(field + ": no data at " + p);
        }
    }

    private static Path check(List<String> v, String field, String uri) {
        if (uri.isBlank()) {
            v.add(field + " is required");
            return null;
        }
        try {
            return path(uri);
        } catch (IllegalArgumentException e) {
            v.add(field + ": " + e.getMessage());
            return null;
        }
    }

    private static void schedule(List<String> v, String prefix, String schedule, int warmup, int steps) {
        if (!schedule.isEmpty() && !Schedule.isKnown(schedule)) {
            v.add(prefix + ".schedule must be cosine, linear or constant, got '" + schedule + "'");
        }
        if (warmup < 0 || (steps > 0 && warmup > steps)) {
            v.add(prefix + ".warmup_steps must be between 0 and steps, got " + warmup);
        }
    }

    private static void oneOf(List<String> v, String field, String value, String... allowed) {
        if (!List.of(allowed).contains(value)) {
            v.add(field + " must be one of "
                    + String.join(", ", List.of(allowed).subList(1, allowed.length)) + ", got '" + value + "'");
        }
    }

    private static void positive(List<String> v, String field, double x) {
        if (!(x > 0) || !Double.isFinite(x)) {
            v.add(field + " must be > 0, got " + (x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x)));
        }
    }

    private static void nonNegative(List<String> v, String field, double x) {
        if (!(x >= 0) || !Double.isFinite(x)) {
            v.add(field + " must be >= 0, got " + x);
        }
    }

    /** A file:// URI or a plain path. */
    public static Path path(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri)).normalize();
        }
        if (uri.contains("://")) {
            throw new IllegalArgumentException("only file:// URIs and paths are supported, got '" + uri + "'");
        }
        return Path.of(uri).toAbsolutePath().normalize();
    }

    // ------------------------------------------------------------------ mapping

    public static Path model(ExperimentSpec s) {
        return path(s.getBaseModelUri());
    }

    public static TaskData taskData(ExperimentSpec s) {
        TaskSpec t = s.getTask();
        return new TaskData(
                Task.byName(t.getName()),
                path(t.getDataUri()),
                or(t.getTrainSplit(), "train"),
                or(t.getValidationSplit(), "validation"),
                or(t.getTestSplit(), "test"),
                t.getTrainLimit(),
                t.getValidationLimit(),
                t.getTestLimit(),
                t.getCuesList(),
                maxLength(s));
    }

    public static int maxLength(ExperimentSpec s) {
        return s.getTask().getMaxLength() == 0
                ? DEFAULT_MAX_LENGTH
                : s.getTask().getMaxLength();
    }

    public static LoraConfig lora(ExperimentSpec s) {
        Set<Projection> targets = EnumSet.noneOf(Projection.class);
        s.getLora().getTargetModulesList().forEach(m -> targets.add(Projection.byName(m)));
        return new LoraConfig(
                s.getLora().getRank(),
                s.getLora().getAlpha(),
                s.getLora().getDropout(),
                targets,
                s.getLora().getRslora());
    }

    public static TrainConfig trainConfig(ExperimentSpec s) {
        TrainerSpec t = s.getTrainer();
        return new TrainConfig(
                lora(s),
                t.getSteps(),
                t.getBatchSize(),
                Math.max(1, t.getGradAccumulation()),
                t.getLearningRate(),
                t.getWarmupSteps(),
                or(t.getSchedule(), "cosine"),
                t.getWeightDecay(),
                0.9,
                0.999,
                1e-8,
                t.getClipNorm(),
                t.getEvalEvery(),
                t.getCheckpointEvery(),
                maxLength(s));
    }

    public static CurveJob curveJob(ExperimentSpec s, List<Path> optima) {
        CurveSpec c = s.getCurve();
        CurveFitConfig config = new CurveFitConfig(
                c.getSteps(),
                c.getBatchSize(),
                c.getLearningRate(),
                c.getWarmupSteps(),
                or(c.getSchedule(), "cosine"),
                c.getWeightDecay(),
                "theta",
                c.getClipNorm(),
                Math.max(1, c.getPointsPerStep()),
                or(c.getPerturbation(), "none"),
                c.getPerturbationScale(),
                c.getJsLambda(),
                c.getJsPoints(),
                false,
                c.getCheckpointEvery(),
                maxLength(s));
        TaskData train = taskData(s);
        boolean grown =
                c.getVariant() == CurveSpec.Variant.FREE && c.getSegments() > 0 && c.getSegments() != optima.size() - 1;
        return new CurveJob(
                model(s),
                train,
                grown ? List.of() : optima,
                c.getVariant() == CurveSpec.Variant.FREE,
                grown ? Integer.valueOf(c.getSegments()) : null,
                c.getDegree(),
                or(c.getOrder(), "given"),
                c.getInitNoise(),
                Seeds.mix(s.getSeed(), 0xC),
                config,
                s.getLora().getRank(),
                s.getLora().getAlpha());
    }

    public static EvalJob evalJob(ExperimentSpec s, List<Path> optima, List<Path> curves) {
        EvalSpec e = s.getEval();
        TaskData ood = null;
        if (e.hasOod()) {
            ood = new TaskData(
                    Task.byName(e.getOod().getTask()),
                    path(e.getOod().getDataUri()),
                    "train",
                    "none",
                    or(e.getOod().getSplit(), "test"),
                    0,
                    0,
                    e.getOod().getLimit(),
                    e.getOod().getTask().equals(s.getTask().getName())
                            ? s.getTask().getCuesList()
                            : List.of(),
                    maxLength(s));
        }
        return new EvalJob(
                model(s),
                taskData(s),
                optima,
                curves,
                e.getMethodsList(),
                e.getSamples(),
                null,
                e.getMcDropout(),
                ood,
                e.getBatchSize() == 0 ? 8 : e.getBatchSize(),
                false,
                null,
                e.getPathGrid());
    }

    private static String or(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }
}
