package dev.loracurve.service;

import dev.loracurve.core.config.InvalidConfigException.Violation;
import dev.loracurve.proto.v1.ExperimentSpec;
import java.util.List;

/**
 * The upper limits an installation puts on everything a spec sizes (loracurve.limits.*): over one
 * is INVALID_ARGUMENT naming the field and the limit, checked by the gateway and again by every
 * stage on the events it consumes, so that one request cannot take a stage down for everyone.
 */
public record SpecLimits(int k, int steps, int rank, int batchSize, int maxLength, int samples, int grid, int points) {

    /** Defaults sized for 0.5B–7B models on one GPU per stage. */
    public static final SpecLimits DEFAULT = new SpecLimits(32, 200_000, 1024, 1024, 8192, 256, 1001, 64);

    void check(ExperimentSpec s, List<Violation> v) {
        at(v, "spec.k", s.getK(), k, "k");
        at(v, "spec.lora.rank", s.getLora().getRank(), rank, "rank");
        at(v, "spec.task.max_length", s.getTask().getMaxLength(), maxLength, "max-length");
        at(v, "spec.trainer.steps", s.getTrainer().getSteps(), steps, "steps");
        at(v, "spec.trainer.batch_size", s.getTrainer().getBatchSize(), batchSize, "batch-size");
        at(v, "spec.trainer.grad_accumulation", s.getTrainer().getGradAccumulation(), batchSize, "batch-size");
        at(v, "spec.curve.steps", s.getCurve().getSteps(), steps, "steps");
        at(v, "spec.curve.batch_size", s.getCurve().getBatchSize(), batchSize, "batch-size");
        at(v, "spec.curve.segments", s.getCurve().getSegments(), points, "points");
        at(v, "spec.curve.degree", s.getCurve().getDegree(), points, "points");
        at(v, "spec.curve.js_points", s.getCurve().getJsPoints(), points, "points");
        at(v, "spec.curve.points_per_step", s.getCurve().getPointsPerStep(), points, "points");
        at(v, "spec.eval.samples", s.getEval().getSamples(), samples, "samples");
        at(v, "spec.eval.batch_size", s.getEval().getBatchSize(), batchSize, "batch-size");
        at(v, "spec.eval.path_grid", s.getEval().getPathGrid(), grid, "grid");
    }

    private static void at(List<Violation> v, String field, long value, long limit, String name) {
        if (value > limit) {
            v.add(new Violation(
                    field,
                    "must be <= " + limit + " (this installation's limit loracurve.limits." + name + "), got "
                            + value));
        }
    }
}
