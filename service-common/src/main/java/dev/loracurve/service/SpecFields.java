package dev.loracurve.service;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.InvalidConfigException.Violation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Core's field paths renamed into the spec's, one table per part of the spec that builds a core
 * configuration ({@code optimizer.lr} → {@code spec.trainer.learning_rate}); SpecFieldsTest walks
 * every field of those configurations and every proto field named here.
 *
 * @param prefix the spec path of the part ({@code spec.trainer.}); a name that starts with
 *               {@code spec.} is already whole
 * @param names  core field path → spec field name within the part
 */
record SpecFields(String prefix, Map<String, String> names) {
    private static final Map<String, String> OPTIMIZER = Map.of(
            "optimizer.lr", "learning_rate",
            "optimizer.warmupSteps", "warmup_steps",
            "optimizer.weightDecay", "weight_decay",
            "optimizer.clipNorm", "clip_norm",
            "optimizer.schedule", "schedule",
            "schedule", "schedule",
            "steps", "steps",
            "batchSize", "batch_size",
            "checkpointEvery", "checkpoint_every");

    static final SpecFields LORA = new SpecFields(
            "",
            Map.of(
                    "r", "spec.lora.rank",
                    "alpha", "spec.lora.alpha",
                    "dropout", "spec.lora.dropout",
                    "targets", "spec.lora.target_modules",
                    "useRslora", "spec.lora.rslora"));
    static final SpecFields TRAINER = new SpecFields(
            "spec.trainer.",
            merge(
                    OPTIMIZER,
                    Map.of(
                            "gradAccumulation", "grad_accumulation",
                            "evalEvery", "eval_every",
                            "swag.start", "swag.start",
                            "swag.every", "swag.every",
                            "swag.rank", "swag.rank",
                            "swag.lr", "swag.learning_rate")));
    static final SpecFields CURVE_SHAPE = new SpecFields(
            "spec.curve.",
            Map.of(
                    "variant", "variant",
                    "segments", "segments",
                    "degree", "degree",
                    "order", "order",
                    "initNoise", "init_noise"));
    static final SpecFields CURVE_FIT = new SpecFields(
            "spec.curve.",
            merge(
                    OPTIMIZER,
                    Map.of(
                            "pointsPerStep", "points_per_step",
                            "perturbation.kind", "perturbation",
                            "kind", "perturbation",
                            "perturbation.scale", "perturbation_scale",
                            "diversity.kind", "diversity",
                            "diversity.weight", "js_lambda",
                            "diversity.points", "js_points")));
    static final SpecFields EVAL = new SpecFields(
            "spec.eval.",
            Map.of(
                    "methods", "methods",
                    "samples", "samples",
                    "mcDropout", "mc_dropout",
                    "batchSize", "batch_size",
                    "pathGrid", "path_grid",
                    "fisherItems", "fisher_items",
                    "planeGrid", "plane_grid"));
    static final SpecFields TASK = new SpecFields(
            "spec.task.",
            Map.of(
                    "maxLength", "max_length",
                    "cues", "cues",
                    "trainSplit.limit", "train_limit",
                    "validationSplit.limit", "validation_limit",
                    "testSplit.limit", "test_limit",
                    "trainSplit.name", "train_split",
                    "validationSplit.name", "validation_split",
                    "testSplit.name", "test_split"));
    /** One OOD set; its prefix is the set's place in the spec ({@link #at}). */
    static final SpecFields OOD = new SpecFields(
            "spec.eval.ood.", Map.of("testSplit.limit", "limit", "testSplit.name", "split", "maxLength", "max_length"));

    SpecFields at(String otherPrefix) {
        return new SpecFields(otherPrefix, names);
    }

    /** The spec path of a core field (unknown fields keep their name under the prefix). */
    String specField(String coreField) {
        String name = names.getOrDefault(coreField, coreField);
        return name.startsWith("spec.") ? name : prefix + name;
    }

    /** Runs a mapping, recording its core violations under their spec names; null when it failed. */
    <T> T collect(List<Violation> v, Supplier<T> mapping) {
        try {
            return mapping.get();
        } catch (InvalidConfigException e) {
            v.addAll(e.renamed(this::specField).violations());
            return null;
        }
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
