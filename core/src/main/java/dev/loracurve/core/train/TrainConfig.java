package dev.loracurve.core.train;

import dev.loracurve.core.lora.LoraConfig;

/**
 * Everything that decides a training run; two runs with equal configs and seeds give bit-identical
 * adapters on the same machine.
 *
 * @param steps            optimizer steps (the budget)
 * @param batchSize        items per micro-batch
 * @param gradAccumulation micro-batches per optimizer step
 * @param lr               peak learning rate
 * @param warmupSteps      linear warm-up from 0 to lr
 * @param schedule         decay after warm-up: cosine, linear (both to 0) or constant
 * @param weightDecay      AdamW decoupled weight decay
 * @param clipNorm         global gradient-norm clipping (0 = off)
 * @param evalEvery        validation every N steps (0 = only at the end)
 * @param checkpointEvery  resumable checkpoint every N steps (0 = never)
 * @param maxLength        longest packed row in tokens
 */
public record TrainConfig(
        LoraConfig lora,
        int steps,
        int batchSize,
        int gradAccumulation,
        double lr,
        int warmupSteps,
        String schedule,
        double weightDecay,
        double beta1,
        double beta2,
        double eps,
        double clipNorm,
        int evalEvery,
        int checkpointEvery,
        int maxLength) {

    public TrainConfig {
        require(steps > 0, "--steps", "must be positive");
        require(batchSize > 0, "--batch-size", "must be positive");
        require(gradAccumulation > 0, "--grad-accumulation", "must be positive");
        require(lr > 0 && Double.isFinite(lr), "--lr", "must be positive");
        require(warmupSteps >= 0 && warmupSteps <= steps, "--warmup", "must be between 0 and --steps");
        require(Schedule.isKnown(schedule), "--schedule", "must be cosine, linear or constant");
        require(weightDecay >= 0, "--weight-decay", "must not be negative");
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "--betas", "must be in [0, 1)");
        require(eps > 0, "--adam-eps", "must be positive");
        require(clipNorm >= 0, "--clip-norm", "must not be negative");
        require(evalEvery >= 0, "--eval-every", "must not be negative");
        require(checkpointEvery >= 0, "--checkpoint-every", "must not be negative");
        require(maxLength >= 8, "--max-length", "must be at least 8");
    }

    private static void require(boolean ok, String option, String message) {
        if (!ok) {
            throw new IllegalArgumentException(option + " " + message);
        }
    }

    /** Learning rate at optimizer step {@code step} (0-based). */
    public double lrAt(int step) {
        return Schedule.lr(lr, step, steps, warmupSteps, schedule);
    }
}
