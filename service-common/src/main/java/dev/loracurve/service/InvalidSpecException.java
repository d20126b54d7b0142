package dev.loracurve.service;

import java.util.List;

/** An experiment spec that cannot run; each violation names its field (spec.lora.rank, …). */
public final class InvalidSpecException extends IllegalArgumentException {
    private final List<String> violations;

    public InvalidSpecException(List<String> violations) {
        super(String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
