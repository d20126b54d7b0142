package dev.loracurve.core.curve;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.Violations;
import java.util.Locale;

/**
 * Flat-minima perturbation of the point where a curve's loss is taken: none, θ_t + N(0, σ²)
 * (Gaussian, scale = σ) or θ_t + ρ g / ‖g‖ (SAM, scale = ρ).
 */
public record Perturbation(Kind kind, double scale) {
    public static final Perturbation NONE = new Perturbation(Kind.NONE, 0);

    public enum Kind {
        NONE,
        GAUSSIAN,
        SAM;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.id().equals(name)) {
                    return k;
                }
            }
            throw InvalidConfigException.of("kind", "must be none, gaussian or sam, got '" + name + "'");
        }
    }

    public Perturbation {
        new Violations().nonNegative("scale", scale).throwIfAny();
    }

    /** True when the loss is taken at a moved point. */
    public boolean active() {
        return kind != Kind.NONE && scale > 0;
    }
}
