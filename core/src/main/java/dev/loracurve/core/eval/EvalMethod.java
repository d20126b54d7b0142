package dev.loracurve.core.eval;

import dev.loracurve.core.config.Violations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The methods an evaluation scores, named by their keys ("map", "curve", …) in specs, studies and
 * reports. Each knows how it is planned ({@link Planner}); how a plan is scored is its
 * {@link Plan}'s. Adding a method is a constant here and, if it scores in a new way, one plan.
 */
public enum EvalMethod {
    /** Each optimum alone. */
    MAP("map", false, Planner::map),
    /** Each optimum with its temperature fitted on the validation split. */
    TEMPERATURE("temperature", true, Planner::temperature),
    /** Each optimum's diagonal Laplace posterior, its prior precision chosen on the validation split. */
    LAPLACE("laplace", true, Planner::laplace),
    /** Each run's SWAG posterior, from the moments its trainer recorded. */
    SWAG("swag", false, Planner::swag),
    /** The optima as equal members of one mixture. */
    ENSEMBLE("ensemble", false, Planner::ensemble),
    /** M points on the straight segments between consecutive optima. */
    LINEAR("linear", false, Planner::linear),
    /** M dropout masks on the first optimum. */
    MCDROPOUT("mcdropout", false, Planner::mcDropout),
    /** M points on each fitted Bézier curve. */
    CURVE("curve", false, Planner::curves);

    private final String key;
    private final boolean fitsOnValidation;
    private final Planner.Step planner;

    EvalMethod(String key, boolean fitsOnValidation, Planner.Step planner) {
        this.key = key;
        this.fitsOnValidation = fitsOnValidation;
        this.planner = planner;
    }

    public String key() {
        return key;
    }

    /** Whether something of it is fitted or chosen on the task's validation split. */
    public boolean fitsOnValidation() {
        return fitsOnValidation;
    }

    Planner.Step planner() {
        return planner;
    }

    public static String keys() {
        return Arrays.stream(values()).map(EvalMethod::key).collect(Collectors.joining(", "));
    }

    /** Methods by key, in their order, duplicates dropped; every unknown key reported under {@code field}. */
    public static List<EvalMethod> parse(List<String> keys, String field) {
        Violations v = new Violations();
        List<EvalMethod> out = new ArrayList<>();
        for (String raw : keys) {
            String k = raw.trim();
            EvalMethod found = Arrays.stream(values())
                    .filter(m -> m.key.equals(k))
                    .findFirst()
                    .orElse(null);
            v.require(found != null, field, ": unknown method '" + k + "' (known: " + keys() + ")");
            if (found != null && !out.contains(found)) {
                out.add(found);
            }
        }
        v.throwIfAny();
        return out;
    }

    /** Whether {@code keys} (spec or study strings) name this method. */
    public boolean in(List<String> keys) {
        return keys.stream().anyMatch(k -> k.trim().equals(key));
    }
}
