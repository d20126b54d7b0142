package dev.loracurve.core.config;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Settings that break a rule, each violation named by the configuration's own field path
 * ({@code optimizer.lr}, {@code perturbation.scale}). Core knows no command-line flags and no spec
 * fields: each front end renames the fields into its own language ({@link #renamed}).
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private final transient List<Violation> violations;

    /**
     * One broken rule.
     *
     * @param field   the field path, e.g. {@code optimizer.warmup_steps}
     * @param problem what is wrong, read after the field: "must be > 0, got 0", or ": unknown module 'x'"
     */
    public record Violation(String field, String problem) {
        public String message() {
            return field + (problem.startsWith(":") ? "" : " ") + problem;
        }
    }

    public InvalidConfigException(List<Violation> violations) {
        super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public static InvalidConfigException of(String field, String problem) {
        return new InvalidConfigException(List.of(new Violation(field, problem)));
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The same violations, each field renamed (a front end's flag or spec path; unknown fields keep theirs). */
    public InvalidConfigException renamed(UnaryOperator<String> names) {
        return new InvalidConfigException(violations.stream()
                .map(v -> new Violation(names.apply(v.field()), v.problem()))
                .toList());
    }
}
