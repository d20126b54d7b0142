package dev.loracurve.core.train;

import dev.loracurve.core.config.Violations;
import dev.loracurve.core.lora.LoraConfig;
import java.util.function.UnaryOperator;

/**
 * Everything that decides a training run; two runs with equal configs and seeds give bit-identical
 * adapters on the same machine. Built by name, defaults in {@link Builder}:
 * {@code TrainConfig.builder().steps(500).optimizer(o -> o.lr(1e-3)).build()}.
 *
 * @param steps            optimizer steps (the budget)
 * @param batchSize        items per micro-batch
 * @param gradAccumulation micro-batches per optimizer step
 * @param evalEvery        validation every N steps (0 = only at the end)
 * @param checkpointEvery  resumable checkpoint every N steps (0 = never)
 * @param swag             SWAG moments of the last phase's iterates, or {@link SwagConfig#OFF}
 */
public record TrainConfig(
        LoraConfig lora,
        int steps,
        int batchSize,
        int gradAccumulation,
        OptimizerConfig optimizer,
        int evalEvery,
        int checkpointEvery,
        SwagConfig swag) {

    public TrainConfig {
        Violations v = new Violations();
        check(v, steps, batchSize, gradAccumulation, evalEvery, checkpointEvery);
        optimizer.checkWarmup(v, steps);
        swag.check(v, steps);
        v.throwIfAny();
    }

    private static void check(Violations v, int steps, int batchSize, int gradAccumulation, int evalEvery, int every) {
        v.positive("steps", steps).positive("batchSize", batchSize).positive("gradAccumulation", gradAccumulation);
        v.nonNegative("evalEvery", evalEvery).nonNegative("checkpointEvery", every);
    }

    /** Learning rate at optimizer step {@code step} (0-based): SWAG's constant rate in its phase when it has one. */
    public double lrAt(int step) {
        if (swag.enabled() && swag.lr() > 0 && step >= swag.start()) {
            return swag.lr();
        }
        return optimizer.lrAt(step, steps);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: LoRA r 8 on every projection, batch 16, no accumulation, checkpoint every 50 steps. */
    public static final class Builder {
        public static final int DEFAULT_BATCH_SIZE = 16;
        public static final int DEFAULT_CHECKPOINT_EVERY = 50;
        private LoraConfig.Builder lora = LoraConfig.builder();
        private int steps;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int gradAccumulation = 1;
        private OptimizerConfig.Builder optimizer = OptimizerConfig.builder();
        private int evalEvery = 0;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        private SwagConfig swag = SwagConfig.OFF;

        public Builder lora(LoraConfig v) {
            lora = v.toBuilder();
            return this;
        }

        public Builder lora(UnaryOperator<LoraConfig.Builder> change) {
            lora = change.apply(lora);
            return this;
        }

        /** Required: the step budget. */
        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder gradAccumulation(int v) {
            gradAccumulation = v;
            return this;
        }

        public Builder optimizer(OptimizerConfig v) {
            optimizer = v.toBuilder();
            return this;
        }

        public Builder optimizer(UnaryOperator<OptimizerConfig.Builder> change) {
            optimizer = change.apply(optimizer);
            return this;
        }

        public Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder swag(SwagConfig v) {
            swag = v;
            return this;
        }

        /** Every violation at once (InvalidConfigException), nested ones under lora. and optimizer. */
        public TrainConfig build() {
            Violations v = new Violations();
            LoraConfig l = v.nested("lora").collect(lora::build);
            OptimizerConfig o = v.nested("optimizer").collect(optimizer::build);
            check(v, steps, batchSize, gradAccumulation, evalEvery, checkpointEvery);
            if (o != null) {
                o.checkWarmup(v, steps);
            }
            swag.check(v, steps);
            v.throwIfAny();
            return new TrainConfig(l, steps, batchSize, gradAccumulation, o, evalEvery, checkpointEvery, swag);
        }
    }
}
