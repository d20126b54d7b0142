package dev.loracurve.core.lora;

import dev.loracurve.core.model.Projection;
import java.util.EnumSet;
import java.util.Set;

/**
 * LoRA hyper-parameters: {@code y = W0 x + b + scale * B (A dropout(x))} on each target projection.
 *
 * @param r       rank (> 0)
 * @param alpha   lora_alpha; scale = alpha / r, or alpha / sqrt(r) with rsLoRA
 * @param dropout probability of dropping an input of A during training (and MC dropout)
 * @param targets projections that carry LoRA, in every layer
 * @param useRslora rank-stabilised scaling
 */
public record LoraConfig(int r, double alpha, double dropout, Set<Projection> targets, boolean useRslora) {

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("r must be positive, got " + r);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("target_modules must name at least one projection");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    public static LoraConfig of(int r, double alpha, double dropout, Projection... targets) {
        return new LoraConfig(r, alpha, dropout, EnumSet.of(targets[0], targets), false);
    }

    public static LoraConfig allProjections(int r, double alpha, double dropout) {
        return new LoraConfig(r, alpha, dropout, EnumSet.allOf(Projection.class), false);
    }

    public double scale() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    public LoraConfig withDropout(double p) {
        return new LoraConfig(r, alpha, p, targets, useRslora);
    }

    /** Targets in layout order (the enum's order), whatever order the user gave. */
    public EnumSet<Projection> orderedTargets() {
        return EnumSet.copyOf(targets);
    }
}
