package dev.loracurve.cli;

import dev.loracurve.core.train.OptimizerConfig;
import dev.loracurve.core.train.OptimizerConfig.Adam;
import dev.loracurve.core.train.Schedule;
import java.util.Map;
import picocli.CommandLine.Option;

/** The optimizer flags of train and curve fit; defaults are core's ({@link OptimizerConfig.Builder}). */
final class OptimizerOptions {
    /** Core field → flag, for error messages. */
    static final Map<String, String> FLAGS = Map.of(
            "optimizer.lr", "--lr",
            "optimizer.warmupSteps", "--warmup",
            "schedule", "--schedule",
            "optimizer.schedule", "--schedule",
            "optimizer.weightDecay", "--weight-decay",
            "optimizer.clipNorm", "--clip-norm",
            "optimizer.adam.beta1", "--betas",
            "optimizer.adam.beta2", "--betas",
            "optimizer.adam.eps", "--adam-eps");

    @Option(names = "--lr", defaultValue = "" + OptimizerConfig.Builder.DEFAULT_LR, description = "peak learning rate")
    double lr;

    @Option(names = "--warmup", defaultValue = "0", description = "linear warm-up steps")
    int warmup;

    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine, linear or constant")
    String schedule;

    @Option(names = "--weight-decay", defaultValue = "0")
    double weightDecay;

    @Option(
            names = "--betas",
            defaultValue = Adam.DEFAULT_BETA1 + "," + Adam.DEFAULT_BETA2,
            split = ",",
            description = "Adam's beta1,beta2")
    double[] betas;

    @Option(names = "--adam-eps", defaultValue = "" + Adam.DEFAULT_EPS)
    double adamEps;

    @Option(
            names = "--clip-norm",
            defaultValue = "" + OptimizerConfig.Builder.DEFAULT_CLIP_NORM,
            description = "0 = no clipping")
    double clipNorm;

    /** Sets the flags on a builder (keeping what the flags do not name, e.g. the decay mode). */
    OptimizerConfig.Builder apply(OptimizerConfig.Builder b) {
        if (betas.length != 2) {
            throw new IllegalArgumentException("--betas takes two values, e.g. 0.9,0.999");
        }
        return b.lr(lr)
                .warmupSteps(warmup)
                .schedule(Schedule.parse(schedule))
                .weightDecay(weightDecay)
                .clipNorm(clipNorm)
                .adam(new Adam(betas[0], betas[1], adamEps));
    }
}
