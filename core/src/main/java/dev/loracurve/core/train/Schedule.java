package dev.loracurve.core.train;

import dev.loracurve.core.config.InvalidConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Learning-rate schedules after a linear warm-up: cosine or linear decay to 0, or constant. */
public enum Schedule {
    COSINE,
    LINEAR,
    CONSTANT;

    /** The schedule of a lower-case name ("cosine"); the error lists the known ones. */
    public static Schedule parse(String name) {
        for (Schedule s : values()) {
            if (s.id().equals(name)) {
                return s;
            }
        }
        throw InvalidConfigException.of("schedule", "must be " + choices() + ", got '" + name + "'");
    }

    /** "cosine, linear or constant". */
    static String choices() {
        String all = Arrays.stream(values()).map(Schedule::id).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }

    /** The name in configs, specs and reports. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Learning rate at optimizer step {@code step} (0-based) of {@code steps}. */
    public double lr(double peak, int step, int steps, int warmupSteps) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = steps == warmupSteps ? 1 : (double) (step - warmupSteps) / (steps - warmupSteps);
        return switch (this) {
            case COSINE -> peak * 0.5 * (1 + Math.cos(Math.PI * progress));
            case LINEAR -> peak * (1 - progress);
            case CONSTANT -> peak;
        };
    }
}
