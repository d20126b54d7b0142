package dev.loracurve.core.lora;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.Violations;
import dev.loracurve.core.model.Projection;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * LoRA hyper-parameters: {@code y = W0 x + b + scale * B (A dropout(x))} on each target projection.
 * Built by name, defaults in {@link Builder}: {@code LoraConfig.builder().rank(4).targets(Q_PROJ, V_PROJ).build()}.
 *
 * @param r         rank (> 0)
 * @param alpha     lora_alpha; scale = alpha / r, or alpha / sqrt(r) with rsLoRA
 * @param dropout   probability of dropping an input of A during training (and MC dropout)
 * @param targets   projections that carry LoRA, in every layer
 * @param useRslora rank-stabilised scaling
 */
public record LoraConfig(int r, double alpha, double dropout, Set<Projection> targets, boolean useRslora) {

    public LoraConfig {
        Violations v = new Violations();
        v.positive("r", r).positive("alpha", alpha);
        v.require(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got " + dropout);
        v.require(targets != null && !targets.isEmpty(), "targets", "must name at least one of " + Projection.names());
        v.throwIfAny();
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    public double scale() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    public LoraConfig withDropout(double p) {
        return toBuilder().dropout(p).build();
    }

    /** Targets in layout order (the enum's order), whatever order the user gave. */
    public EnumSet<Projection> orderedTargets() {
        return EnumSet.copyOf(targets);
    }

    /** The projections of PEFT module names ("q_proj"); an unknown name is a violation of {@code targets}. */
    public static Set<Projection> parseTargets(Collection<String> names) {
        Set<Projection> out = EnumSet.noneOf(Projection.class);
        for (String n : names) {
            Projection p = Projection.byName(n.trim());
            if (p == null) {
                throw InvalidConfigException.of(
                        "targets", ": unknown module '" + n.trim() + "' (known: " + Projection.names() + ")");
            }
            out.add(p);
        }
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .rank(r)
                .alpha(alpha)
                .dropout(dropout)
                .targets(targets)
                .rslora(useRslora);
    }

    /** Defaults: r 8, alpha 16, dropout 0.05, every projection, plain scaling (PEFT's own defaults but the targets). */
    public static final class Builder {
        public static final int DEFAULT_RANK = 8;
        public static final double DEFAULT_ALPHA = 16;
        public static final double DEFAULT_DROPOUT = 0.05;
        private int r = DEFAULT_RANK;
        private double alpha = DEFAULT_ALPHA;
        private double dropout = DEFAULT_DROPOUT;
        private Set<Projection> targets = EnumSet.allOf(Projection.class);
        private List<String> targetNames;
        private boolean useRslora = false;

        public Builder rank(int v) {
            r = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        public Builder targets(Collection<Projection> v) {
            targets = v.isEmpty() ? Set.of() : EnumSet.copyOf(v);
            targetNames = null;
            return this;
        }

        public Builder targets(Projection first, Projection... rest) {
            return targets(EnumSet.of(first, rest));
        }

        /** PEFT module names, checked at {@link #build()}. */
        public Builder targetNames(List<String> names) {
            targetNames = List.copyOf(names);
            return this;
        }

        public Builder rslora(boolean v) {
            useRslora = v;
            return this;
        }

        public LoraConfig build() {
            Violations v = new Violations();
            Set<Projection> t = targetNames == null ? targets : v.collect(() -> parseTargets(targetNames));
            if (t == null) { // unknown names: report them with the other violations
                v.collect(() -> new LoraConfig(r, alpha, dropout, EnumSet.allOf(Projection.class), useRslora));
                v.throwIfAny();
            }
            return new LoraConfig(r, alpha, dropout, t, useRslora);
        }
    }
}
