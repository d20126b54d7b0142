package dev.loracurve.core.curve;

import dev.loracurve.core.config.Violations;
import dev.loracurve.core.train.OptimizerConfig;
import java.util.function.UnaryOperator;

/**
 * How a curve is fitted. Built by name, defaults in {@link Builder}:
 * {@code CurveFitConfig.builder().steps(500).diversity(0.1, 3).build()}.
 *
 * @param pointsPerStep t values per step, stratified t_i = (i + U_i) / k (with the diversity term: its points)
 * @param dropout       LoRA dropout while fitting
 * @param perturbation  where the loss is taken: θ_t, or a flat-minima perturbation of it
 * @param diversity     the diversity term, Jensen–Shannon or cosine (weight 0 = off)
 */
public record CurveFitConfig(
        int steps,
        int batchSize,
        OptimizerConfig optimizer,
        int pointsPerStep,
        boolean dropout,
        Perturbation perturbation,
        Diversity diversity,
        int checkpointEvery) {

    public CurveFitConfig {
        Violations v = new Violations();
        check(v, steps, batchSize, pointsPerStep, checkpointEvery);
        optimizer.checkWarmup(v, steps);
        v.throwIfAny();
    }

    private static void check(Violations v, int steps, int batchSize, int pointsPerStep, int checkpointEvery) {
        v.positive("steps", steps).positive("batchSize", batchSize).positive("pointsPerStep", pointsPerStep);
        v.nonNegative("checkpointEvery", checkpointEvery);
    }

    /** t values drawn per step. */
    public int tPerStep() {
        return diversity.active() ? diversity.points() : pointsPerStep;
    }

    /** Learning rate at optimizer step {@code step} (0-based). */
    public double lrAt(int step) {
        return optimizer.lrAt(step, steps);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: batch 16, the optimizer's defaults with weight decay as L2 on θ_t (dnn-mode-connectivity),
     * one t per step, no dropout, no perturbation, no diversity term, a checkpoint every 50 steps.
     */
    public static final class Builder {
        public static final int DEFAULT_BATCH_SIZE = 16;
        public static final int DEFAULT_CHECKPOINT_EVERY = 50;
        private int steps;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private OptimizerConfig.Builder optimizer = OptimizerConfig.builder().decayMode(OptimizerConfig.DecayMode.L2);
        private int pointsPerStep = 1;
        private boolean dropout = false;
        private Perturbation.Kind perturbationKind = Perturbation.Kind.NONE;
        private double perturbationScale = 0;
        private double diversityWeight = 0;
        private int diversityPoints = 0;
        private Diversity.Kind diversityKind = Diversity.Kind.JS;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;

        /** Required: the step budget. */
        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder optimizer(UnaryOperator<OptimizerConfig.Builder> change) {
            optimizer = change.apply(optimizer);
            return this;
        }

        public Builder pointsPerStep(int v) {
            pointsPerStep = v;
            return this;
        }

        public Builder dropout(boolean v) {
            dropout = v;
            return this;
        }

        public Builder perturbation(Perturbation.Kind kind, double scale) {
            perturbationKind = kind;
            perturbationScale = scale;
            return this;
        }

        /** The Jensen–Shannon term: weight λ (0 = off) over {@code points} stratified t values. */
        public Builder diversity(double weight, int points) {
            diversityWeight = weight;
            diversityPoints = points;
            return this;
        }

        /** The cosine term of learning-subspaces instead of JS, with the same weight and points. */
        public Builder diversityKind(Diversity.Kind v) {
            diversityKind = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public CurveFitConfig build() {
            Violations v = new Violations();
            OptimizerConfig o = v.nested("optimizer").collect(optimizer::build);
            Perturbation p =
                    v.nested("perturbation").collect(() -> new Perturbation(perturbationKind, perturbationScale));
            Diversity d =
                    v.nested("diversity").collect(() -> new Diversity(diversityWeight, diversityPoints, diversityKind));
            check(v, steps, batchSize, pointsPerStep, checkpointEvery);
            if (o != null) {
                o.checkWarmup(v, steps);
            }
            v.throwIfAny();
            return new CurveFitConfig(steps, batchSize, o, pointsPerStep, dropout, p, d, checkpointEvery);
        }
    }
}
