package dev.loracurve.core.train;

import dev.loracurve.core.config.Violations;

/**
 * When a training run records SWAG moments of its iterates: from step {@code start} on (0-based,
 * after that step's update), every {@code every} steps, keeping the last {@code rank} deviations.
 * With {@code lr} > 0 the learning rate is held there from {@code start} on (SWAG's constant-rate
 * phase); 0 keeps the schedule, whose decay shrinks the iterates' spread.
 */
public record SwagConfig(int start, int every, int rank, double lr) {
    /** No SWAG: the trainer records nothing. */
    public static final SwagConfig OFF = new SwagConfig(0, 0, 0, 0);

    /** SWAG's defaults but the start: every step, rank 20, the schedule's own rate. */
    public static SwagConfig from(int start) {
        return new SwagConfig(start, 1, 20, 0);
    }

    public boolean enabled() {
        return every > 0;
    }

    /** Whether the iterate after step {@code step} (0-based) is collected. */
    public boolean collects(int step) {
        return enabled() && step >= start && (step - start) % every == 0;
    }

    void check(Violations v, int steps) {
        if (!enabled()) {
            v.require(start == 0 && rank == 0 && lr == 0, "swag.every", "must be >= 1 when other swag settings are");
            return;
        }
        v.require(start >= 0 && start < steps, "swag.start", "must be in [0, steps), got " + start);
        v.require(rank >= 2, "swag.rank", "must be >= 2, got " + rank);
        v.nonNegative("swag.lr", lr);
        v.require(
                (steps - 1 - start) / every + 1 >= 2,
                "swag.every",
                "collects fewer than 2 iterates between swag.start and steps");
    }
}
