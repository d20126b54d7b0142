package dev.loracurve.core.config;

import dev.loracurve.core.config.InvalidConfigException.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects every broken rule of a configuration before throwing, so that a caller hears all of
 * them at once. {@link #nested} shares the list under a field prefix ({@code optimizer.}).
 */
public final class Violations {
    private final String prefix;
    private final List<Violation> found;

    public Violations() {
        this("", new ArrayList<>());
    }

    private Violations(String prefix, List<Violation> found) {
        this.prefix = prefix;
        this.found = found;
    }

    public Violations nested(String field) {
        return new Violations(prefix + field + ".", found);
    }

    /** Records {@code problem} for {@code field} unless {@code ok}. */
    public Violations require(boolean ok, String field, String problem) {
        if (!ok) {
            found.add(new Violation(prefix + field, problem));
        }
        return this;
    }

    public Violations positive(String field, double value) {
        return require(value > 0 && Double.isFinite(value), field, "must be > 0, got " + show(value));
    }

    public Violations nonNegative(String field, double value) {
        return require(value >= 0 && Double.isFinite(value), field, "must be >= 0, got " + show(value));
    }

    /** Runs {@code part}, recording its violations (under this prefix) instead of throwing; null when it failed. */
    public <T> T collect(Supplier<T> part) {
        try {
            return part.get();
        } catch (InvalidConfigException e) {
            e.violations().forEach(v -> found.add(new Violation(prefix + v.field(), v.problem())));
            return null;
        }
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    public void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidConfigException(found);
        }
    }

    /** 3 for 3.0, 0.5 for 0.5: messages show numbers as the user wrote them. */
    public static String show(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
    }
}
