package dev.loracurve.service;

import dev.loracurve.core.config.InvalidConfigException.Violation;
import dev.loracurve.core.eval.EvalMethod;
import dev.loracurve.proto.v1.CurveSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import java.util.List;

/** The rules that only a whole spec has: K against the curve, what a method needs from the rest of it. */
final class SpecRules {
    private SpecRules() {}

    /** K against the curve's variant and segments, and the curve's own settings when a curve is scored. */
    static void checkCurve(List<Violation> v, ExperimentSpec s) {
        CurveSpec c = s.getCurve();
        boolean wantsCurve = EvalMethod.CURVE.in(s.getEval().getMethodsList());
        if (s.getK() < 1) {
            v.add(new Violation("spec.k", "must be >= 1, got " + s.getK()));
        } else if (wantsCurve && c.getVariant() == CurveSpec.Variant.ANCHORED && s.getK() < 2) {
            v.add(new Violation("spec.k", "must be >= 2 for an anchored curve, got " + s.getK()));
        }
        if (!wantsCurve) {
            return;
        }
        if (c.getVariant() == CurveSpec.Variant.VARIANT_UNSPECIFIED) {
            v.add(new Violation("spec.curve.variant", "must be ANCHORED or FREE"));
        }
        if (c.getVariant() == CurveSpec.Variant.ANCHORED && c.getSegments() != 0 && c.getSegments() != s.getK() - 1) {
            v.add(new Violation(
                    "spec.curve.segments",
                    "must be 0 or K - 1 = " + (s.getK() - 1) + " for an anchored curve (any S >= 1 for a free one),"
                            + " got " + c.getSegments()));
        }
        SpecFields.CURVE_SHAPE.collect(v, () -> Specs.curveShape(s));
        SpecFields.CURVE_FIT.collect(v, () -> Specs.curveFitConfig(s));
    }

    /** What a method needs from the rest of the spec: SWAG's moments, temperature's validation split. */
    static void checkMethods(List<Violation> v, ExperimentSpec s) {
        List<String> methods = s.getEval().getMethodsList();
        if (EvalMethod.SWAG.in(methods) && !s.getTrainer().hasSwag()) {
            v.add(new Violation(
                    "spec.eval.methods",
                    ": swag samples the moments the trainer records, and spec.trainer.swag is unset"));
        }
        if (EvalMethod.TEMPERATURE.in(methods)
                && s.getTask().getValidationSplit().equals("none")) {
            v.add(new Violation(
                    "spec.eval.methods",
                    ": temperature is fitted on the validation split, and spec.task.validation_split is none"));
        }
    }
}
