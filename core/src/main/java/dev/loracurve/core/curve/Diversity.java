package dev.loracurve.core.curve;

import dev.loracurve.core.config.Violations;

/**
 * The diversity regulariser of a curve fit: loss = mean_m CE(p_m) − weight · JS over M = points
 * stratified t values, JS = H(mean_m p_m) − mean_m H(p_m) (the mutual information of their
 * average). Weight 0 turns it off.
 */
public record Diversity(double weight, int points) {
    public static final Diversity NONE = new Diversity(0, 0);

    public Diversity {
        Violations v = new Violations().nonNegative("weight", weight);
        v.require(weight == 0 || points >= 2, "points", "must be >= 2 to measure diversity, got " + points);
        v.throwIfAny();
    }

    public boolean active() {
        return weight > 0;
    }
}
