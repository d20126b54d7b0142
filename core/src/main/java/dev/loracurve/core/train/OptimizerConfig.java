package dev.loracurve.core.train;

import dev.loracurve.core.config.Violations;

/**
 * AdamW and its learning-rate schedule, as the trainer, the curve fitter and the pretrainer use it.
 * Built by name: {@code OptimizerConfig.builder().lr(1e-3).warmupSteps(30).build()}; every default
 * lives in {@link Builder}.
 *
 * <p>Violations name these components ({@code lr}, {@code adam.beta1}).
 *
 * @param lr          peak learning rate
 * @param warmupSteps linear warm-up from 0 to lr (at most the run's steps)
 * @param schedule    decay after the warm-up
 * @param weightDecay λ of the weight decay (0 = none)
 * @param decayMode   how λ acts
 * @param clipNorm    global gradient-norm clipping (0 = off)
 * @param adam        Adam's moment decays and ε
 */
public record OptimizerConfig(
        double lr,
        int warmupSteps,
        Schedule schedule,
        double weightDecay,
        DecayMode decayMode,
        double clipNorm,
        Adam adam) {

    /** How weight decay acts. */
    public enum DecayMode {
        /** AdamW's decoupled decay of the optimized parameters (θ, or a curve's control points). */
        DECOUPLED,
        /** (λ/2)‖θ‖² added to the loss at the point evaluated (θ_t on a curve, as dnn-mode-connectivity does). */
        L2
    }

    /** Adam's constants: decay of the first and second moments, and ε (PyTorch's defaults). */
    public record Adam(double beta1, double beta2, double eps) {
        public static final double DEFAULT_BETA1 = 0.9;
        public static final double DEFAULT_BETA2 = 0.999;
        public static final double DEFAULT_EPS = 1e-8;
        public static final Adam DEFAULT = new Adam(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    public OptimizerConfig {
        Violations v = new Violations();
        v.positive("lr", lr).nonNegative("warmupSteps", warmupSteps).nonNegative("weightDecay", weightDecay);
        v.nonNegative("clipNorm", clipNorm);
        v.require(adam.beta1() >= 0 && adam.beta1() < 1, "adam.beta1", "must be in [0, 1), got " + adam.beta1());
        v.require(adam.beta2() >= 0 && adam.beta2() < 1, "adam.beta2", "must be in [0, 1), got " + adam.beta2());
        v.positive("adam.eps", adam.eps());
        v.throwIfAny();
    }

    /** Learning rate at optimizer step {@code step} (0-based) of {@code steps}. */
    public double lrAt(int step, int steps) {
        return schedule.lr(lr, step, steps, warmupSteps);
    }

    /** The warm-up must fit in the run: checked by the config that knows the step budget. */
    public void checkWarmup(Violations v, int steps) {
        v.require(warmupSteps <= steps, "optimizer.warmupSteps", "must be between 0 and steps, got " + warmupSteps);
    }

    /** An AdamW for {@code size} parameters with these constants (decoupled decay only in DECOUPLED mode). */
    public AdamW newAdamW(int size) {
        return new AdamW(size, adam.beta1(), adam.beta2(), adam.eps(), decoupledDecay());
    }

    /** λ of AdamW's decoupled decay: weightDecay in DECOUPLED mode, else 0. */
    public double decoupledDecay() {
        return decayMode == DecayMode.DECOUPLED ? weightDecay : 0;
    }

    /** λ of the L2 term added to the gradient at the evaluated point: weightDecay in L2 mode, else 0. */
    public double l2Decay() {
        return decayMode == DecayMode.L2 ? weightDecay : 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .lr(lr)
                .warmupSteps(warmupSteps)
                .schedule(schedule)
                .weightDecay(weightDecay)
                .decayMode(decayMode)
                .clipNorm(clipNorm)
                .adam(adam);
    }

    /** The defaults of every run: lr 3e-3, no warm-up, cosine, no weight decay, clip 1.0, PyTorch's Adam. */
    public static final class Builder {
        public static final double DEFAULT_LR = 3e-3;
        public static final double DEFAULT_CLIP_NORM = 1.0;
        private double lr = DEFAULT_LR;
        private int warmupSteps = 0;
        private Schedule schedule = Schedule.COSINE;
        private double weightDecay = 0;
        private DecayMode decayMode = DecayMode.DECOUPLED;
        private double clipNorm = DEFAULT_CLIP_NORM;
        private Adam adam = Adam.DEFAULT;

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder schedule(Schedule v) {
            schedule = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder decayMode(DecayMode v) {
            decayMode = v;
            return this;
        }

        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public Builder adam(Adam v) {
            adam = v;
            return this;
        }

        public OptimizerConfig build() {
            return new OptimizerConfig(lr, warmupSteps, schedule, weightDecay, decayMode, clipNorm, adam);
        }
    }
}
