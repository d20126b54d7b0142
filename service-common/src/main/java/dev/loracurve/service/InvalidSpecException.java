package dev.loracurve.service;

import dev.loracurve.core.config.InvalidConfigException.Violation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A request that cannot run (INVALID_ARGUMENT with a BadRequest): each violation names its field
 * (spec.lora.rank, page_size, …).
 */
public final class InvalidSpecException extends IllegalArgumentException {
    private final transient List<Violation> violations;

    /** One invalid request field: "page_size must be >= 0, got -1". */
    public InvalidSpecException(String field, String problem) {
        this(List.of(new Violation(field, problem)));
    }

    public InvalidSpecException(List<Violation> violations) {
        super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    /** Each violation as one line: "spec.lora.rank must be > 0, got 0". */
    public List<String> violations() {
        return violations.stream().map(Violation::message).toList();
    }

    /** Each violation with its field apart (for structured error details). */
    public List<Violation> fieldViolations() {
        return violations;
    }
}
