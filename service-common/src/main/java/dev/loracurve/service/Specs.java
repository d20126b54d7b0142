package dev.loracurve.service;

import dev.loracurve.core.config.InvalidConfigException.Violation;
import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveJob;
import dev.loracurve.core.curve.CurveShape;
import dev.loracurve.core.curve.Diversity;
import dev.loracurve.core.curve.Perturbation;
import dev.loracurve.core.eval.EvalConfig;
import dev.loracurve.core.eval.EvalJob;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.store.JsonFiles;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.OptimizerConfig;
import dev.loracurve.core.train.Schedule;
import dev.loracurve.core.train.Seeds;
import dev.loracurve.core.train.SwagConfig;
import dev.loracurve.core.train.TrainConfig;
import dev.loracurve.proto.v1.CurveSpec;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.OodSpec;
import dev.loracurve.proto.v1.SwagSpec;
import dev.loracurve.proto.v1.TaskSpec;
import dev.loracurve.proto.v1.TrainerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * ExperimentSpec → the core's configurations and jobs. The rules of every setting live in core
 * (its builders validate); this class maps spec fields to them, renames core's field paths into
 * spec paths ({@code optimizer.lr} → {@code spec.trainer.learning_rate}), and adds the rules that
 * only a spec has (URIs, K against the curve). A client sees "spec.lora.rank must be > 0, got 0",
 * every violation at once, and not a stack trace from a service an hour later. Proto3 cannot tell
 * an unset field from 0: where a .proto comment says "0 means …", 0 keeps core's default.
 */
public final class Specs {
    private final DataLocations locations;
    private final SpecLimits limits;

    /**
     * @param locations where model and data URIs may point, and how they are read
     * @param limits    the installation's upper limits on what a spec sizes
     */
    public Specs(DataLocations locations, SpecLimits limits) {
        this.locations = locations;
        this.limits = limits;
    }

    /**
     * Throws {@link InvalidSpecException} listing every violation; reads the model's config.json
     * and checks that the data paths exist.
     */
    public void validate(ExperimentSpec s) {
        List<Violation> v = new ArrayList<>();
        checkModel(v, s.getBaseModelUri());
        TaskSpec t = s.getTask();
        if (knownTask(v, "spec.task.name", t.getName()) && dataPath(v, "spec.task.data_uri", t.getDataUri())) {
            SpecFields.TASK.collect(v, () -> taskData(s));
        }
        LoraConfig lora = SpecFields.LORA.collect(v, () -> lora(s));
        SpecFields.TRAINER.collect(v, () -> trainConfig(s, lora));
        SpecRules.checkCurve(v, s);
        SpecFields.EVAL.collect(v, () -> evalConfig(s));
        SpecRules.checkMethods(v, s);
        List<OodSpec> oods = oodSpecs(s);
        for (int i = 0; i < oods.size(); i++) {
            checkOod(v, s, oods.get(i), oodPrefix(s, i));
        }
        limits.check(s, v);
        if (!v.isEmpty()) {
            throw new InvalidSpecException(v);
        }
    }

    /** The submission's data checks ({@link SpecData}): splits present and parseable, prompts within max_length. */
    public void checkData(ExperimentSpec s) {
        SpecData.check(this, s);
    }

    /** The model URI is allowed and names a folder whose config.json parses. */
    private void checkModel(List<Violation> v, String model) {
        if (!checked(v, "spec.base_model_uri", model)) {
            return;
        }
        Optional<byte[]> config = locations.read(model, "config.json");
        if (config.isEmpty()) {
            v.add(new Violation("spec.base_model_uri", ": no model folder at " + model + " (config.json missing)"));
            return;
        }
        try {
            ModelConfig.parse(JsonFiles.parse(new String(config.get(), StandardCharsets.UTF_8), ""));
        } catch (RuntimeException e) {
            // the parser's own message names the field, never the file's content
            v.add(new Violation("spec.base_model_uri", ": config.json: " + e.getMessage()));
        }
    }

    /** One OOD set: a known task, data in the roots, a known protocol that fits the in-distribution task. */
    private void checkOod(List<Violation> v, ExperimentSpec s, OodSpec o, String prefix) {
        boolean known = knownTask(v, prefix + "task", o.getTask());
        boolean located = dataPath(v, prefix + "data_uri", o.getDataUri());
        if (!checkProtocol(v, prefix + "protocol", o.getProtocol()) || !known || !located) {
            return;
        }
        OodSet set = SpecFields.OOD.at(prefix).collect(v, () -> oodSet(s, o));
        String task = s.getTask().getName();
        Task inDistribution = Task.registry().get(task);
        if (set != null
                && inDistribution != null
                && set.protocol() == OodSet.Protocol.IN_TEMPLATE
                && inDistribution.template().isEmpty()) {
            v.add(new Violation(
                    prefix + "protocol",
                    ": in_template needs a task with fixed classes (sst2, trec, agnews, boolq, rte); " + task
                            + " is not one: use other_task"));
        }
    }

    private static boolean knownTask(List<Violation> v, String field, String name) {
        if (Task.registry().containsKey(name)) {
            return true;
        }
        v.add(new Violation(
                field,
                ": unknown task '" + name + "' (known: "
                        + String.join(", ", Task.registry().keySet()) + ")"));
        return false;
    }

    private boolean dataPath(List<Violation> v, String field, String uri) {
        if (!checked(v, field, uri)) {
            return false;
        }
        if (!locations.exists(uri)) {
            v.add(new Violation(field, ": no data at " + uri));
            return false;
        }
        return true;
    }

    /** Records a violation unless the URI is given and inside the data roots. */
    private boolean checked(List<Violation> v, String field, String uri) {
        if (uri.isBlank()) {
            v.add(new Violation(field, "is required"));
            return false;
        }
        try {
            locations.check(uri);
            return true;
        } catch (IllegalArgumentException e) {
            v.add(new Violation(field, ": " + e.getMessage()));
            return false;
        }
    }

    // ------------------------------------------------------------------ mapping

    /** The base model's local folder (fetched into the cache when it is remote). */
    public Path model(ExperimentSpec s) {
        return locations.local(s.getBaseModelUri());
    }

    public TaskData taskData(ExperimentSpec s) {
        TaskSpec t = s.getTask();
        TaskData.Builder b = TaskData.builder(Task.byName(t.getName()), locations.local(t.getDataUri()))
                .train(or(t.getTrainSplit(), "train"), t.getTrainLimit())
                .validation(or(t.getValidationSplit(), "validation"), t.getValidationLimit())
                .test(or(t.getTestSplit(), "test"), t.getTestLimit())
                .cues(t.getCuesList());
        if (t.getMaxLength() != 0) {
            b.maxLength(t.getMaxLength());
        }
        return b.build();
    }

    /** eval.ood (when set), then eval.more_ood. */
    /** The spec path of the i-th OOD set of {@link #oodSpecs}: eval.ood, else its index in more_ood. */
    static String oodPrefix(ExperimentSpec s, int i) {
        int more = s.getEval().hasOod() ? i - 1 : i;
        return more < 0 ? "spec.eval.ood." : "spec.eval.more_ood[" + more + "].";
    }

    static List<OodSpec> oodSpecs(ExperimentSpec s) {
        List<OodSpec> out = new ArrayList<>();
        if (s.getEval().hasOod()) {
            out.add(s.getEval().getOod());
        }
        out.addAll(s.getEval().getMoreOodList());
        return out;
    }

    /** The OOD sets, in the spec's order. */
    List<OodSet> oodSets(ExperimentSpec s) {
        return oodSpecs(s).stream().map(o -> oodSet(s, o)).toList();
    }

    /**
     * One OOD set: another task's (or this task's unseen) split, scored with this task's cues when
     * it is the same task, under the named protocol or the one users expect for the pair.
     */
    OodSet oodSet(ExperimentSpec s, OodSpec o) {
        Task ood = Task.byName(o.getTask());
        TaskData data = TaskData.builder(ood, locations.local(o.getDataUri()))
                .validation("none", 0)
                .test(or(o.getSplit(), "test"), o.getLimit())
                .cues(o.getTask().equals(s.getTask().getName()) ? s.getTask().getCuesList() : List.of())
                .maxLength(
                        o.getMaxLength() != 0 ? o.getMaxLength() : taskData(s).maxLength())
                .build();
        OodSet.Protocol protocol = o.getProtocol().isEmpty()
                ? OodSet.Protocol.defaultFor(Task.byName(s.getTask().getName()), ood)
                : OodSet.Protocol.of(o.getProtocol());
        return new OodSet(protocol, data);
    }

    /** Whether the protocol is empty (the default) or known; records a violation when not. */
    private static boolean checkProtocol(List<Violation> v, String field, String protocol) {
        try {
            if (!protocol.isEmpty()) {
                OodSet.Protocol.of(protocol);
            }
            return true;
        } catch (IllegalArgumentException e) {
            v.add(new Violation(field, ": " + e.getMessage()));
            return false;
        }
    }

    public static LoraConfig lora(ExperimentSpec s) {
        return LoraConfig.builder()
                .rank(s.getLora().getRank())
                .alpha(s.getLora().getAlpha())
                .dropout(s.getLora().getDropout())
                .targetNames(s.getLora().getTargetModulesList())
                .rslora(s.getLora().getRslora())
                .build();
    }

    public static TrainConfig trainConfig(ExperimentSpec s) {
        return trainConfig(s, lora(s));
    }

    /** @param lora the spec's LoRA, or null when it is invalid (reported on its own) */
    private static TrainConfig trainConfig(ExperimentSpec s, LoraConfig lora) {
        TrainerSpec t = s.getTrainer();
        TrainConfig.Builder b = TrainConfig.builder()
                .steps(t.getSteps())
                .batchSize(t.getBatchSize())
                .optimizer(optimizer(
                        t.getLearningRate(), t.getWarmupSteps(), t.getSchedule(), t.getWeightDecay(), t.getClipNorm()))
                .evalEvery(t.getEvalEvery())
                .checkpointEvery(t.getCheckpointEvery());
        if (t.hasSwag()) {
            SwagSpec w = t.getSwag();
            b.swag(new SwagConfig(
                    w.getStart(),
                    w.getEvery() == 0 ? 1 : w.getEvery(),
                    w.getRank() == 0 ? SwagConfig.from(0).rank() : w.getRank(),
                    w.getLearningRate()));
        }
        if (lora != null) {
            b.lora(lora);
        }
        if (t.getGradAccumulation() != 0) {
            b.gradAccumulation(t.getGradAccumulation());
        }
        return b.build();
    }

    /** The optimizer settings a trainer or curve spec gives; a spec's clip_norm 0 means no clipping. */
    private static UnaryOperator<OptimizerConfig.Builder> optimizer(
            double lr, int warmup, String schedule, double weightDecay, double clipNorm) {
        Schedule parsed = Schedule.parse(or(schedule, Schedule.COSINE.id()));
        return o -> o.lr(lr)
                .warmupSteps(warmup)
                .schedule(parsed)
                .weightDecay(weightDecay)
                .clipNorm(clipNorm);
    }

    static CurveShape curveShape(ExperimentSpec s) {
        CurveSpec c = s.getCurve();
        return CurveShape.builder()
                .variant(
                        c.getVariant() == CurveSpec.Variant.FREE
                                ? CurveShape.Variant.FREE
                                : CurveShape.Variant.ANCHORED)
                .segments(c.getSegments())
                .degree(c.getDegree())
                .order(CurveShape.AnchorOrder.parse(or(c.getOrder(), "given")))
                .initNoise(c.getInitNoise())
                .build();
    }

    static CurveFitConfig curveFitConfig(ExperimentSpec s) {
        CurveSpec c = s.getCurve();
        CurveFitConfig.Builder b = CurveFitConfig.builder()
                .steps(c.getSteps())
                .batchSize(c.getBatchSize())
                .optimizer(optimizer(
                        c.getLearningRate(), c.getWarmupSteps(), c.getSchedule(), c.getWeightDecay(), c.getClipNorm()))
                .perturbation(Perturbation.Kind.parse(or(c.getPerturbation(), "none")), c.getPerturbationScale())
                .diversity(c.getJsLambda(), c.getJsPoints())
                .diversityKind(Diversity.Kind.parse(or(c.getDiversity(), "js")))
                .checkpointEvery(c.getCheckpointEvery());
        if (c.getPointsPerStep() != 0) {
            b.pointsPerStep(c.getPointsPerStep());
        }
        return b.build();
    }

    /**
     * The curve fit of an experiment through (or from) its optima. A free curve whose S differs from
     * K - 1 grows a new path from independent LoRA inits of the spec's rank and alpha.
     */
    public CurveJob curveJob(ExperimentSpec s, List<Path> optima) {
        CurveShape shape = curveShape(s);
        boolean grown = shape.variant() == CurveShape.Variant.FREE
                && shape.segments() > 0
                && shape.segments() != optima.size() - 1;
        LoraConfig scratch = LoraConfig.builder()
                .rank(s.getLora().getRank())
                .alpha(s.getLora().getAlpha())
                .dropout(0)
                .build();
        return new CurveJob(
                model(s),
                taskData(s),
                grown ? List.of() : optima,
                shape,
                scratch,
                curveFitConfig(s),
                Seeds.mix(s.getSeed(), 0xC));
    }

    public static EvalConfig evalConfig(ExperimentSpec s) {
        EvalSpec e = s.getEval();
        EvalConfig.Builder b = EvalConfig.builder()
                .methodKeys(e.getMethodsList())
                .samples(e.getSamples())
                .mcDropout(e.getMcDropout())
                .pathGrid(e.getPathGrid())
                .planeGrid(e.getPlaneGrid());
        if (e.getBatchSize() != 0) {
            b.batchSize(e.getBatchSize());
        }
        if (e.getFisherItems() != 0) {
            b.fisherItems(e.getFisherItems());
        }
        return b.build();
    }

    public EvalJob evalJob(ExperimentSpec s, List<Path> optima, List<Path> curves) {
        return new EvalJob(model(s), taskData(s), oodSets(s), optima, curves, evalConfig(s), null);
    }

    private static String or(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }
}
