package dev.loracurve.cli;

import dev.loracurve.core.config.Violations;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.OptimaJob;
import dev.loracurve.core.train.SwagConfig;
import dev.loracurve.core.train.TrainConfig;
import dev.loracurve.core.train.Trainer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains K independent LoRA optima that differ only in seed. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Fine-tune K LoRA adapters (run-0 … run-K-1) on a task; rerunning the same command resumes.")
final class TrainCommand implements Runnable, ConfigFlags {
    @Mixin
    TaskOptions taskOptions;

    @Option(names = "--out", required = true, description = "output folder: run-0, run-1, …")
    Path out;

    @Option(names = "--k", defaultValue = "3", description = "number of optima (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seed", defaultValue = "0", description = "seed of run-0; run-i uses seed + i")
    long seed;

    @Option(names = "--steps", required = true, description = "optimizer steps per run")
    int steps;

    @Option(names = "--batch-size", defaultValue = "" + TrainConfig.Builder.DEFAULT_BATCH_SIZE)
    int batchSize;

    @Option(names = "--grad-accumulation", defaultValue = "1")
    int gradAccumulation;

    @Mixin
    OptimizerOptions optimizer;

    @Mixin
    LoraOptions lora;

    @Option(names = "--train-split", defaultValue = "train")
    String trainSplit;

    @Option(
            names = "--val-split",
            defaultValue = "validation",
            description =
                    "validation split; none; or holdout:N (the last N training items, when the data has no validation split)")
    String valSplit;

    @Option(names = "--train-limit", defaultValue = "0", description = "use the first N training items (0 = all)")
    int trainLimit;

    @Option(names = "--val-limit", defaultValue = "0")
    int valLimit;

    @Option(names = "--eval-every", defaultValue = "0", description = "validate every N steps (0 = at the end)")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "" + TrainConfig.Builder.DEFAULT_CHECKPOINT_EVERY)
    int checkpointEvery;

    @Option(
            names = "--swag-from",
            defaultValue = "-1",
            description = "record SWAG moments of the iterates from this step on (0-based; -1 = no SWAG)")
    int swagFrom;

    @Option(names = "--swag-every", defaultValue = "1", description = "SWAG: collect every N steps")
    int swagEvery;

    @Option(names = "--swag-rank", defaultValue = "20", description = "SWAG: deviations kept (the low rank K)")
    int swagRank;

    @Option(
            names = "--swag-lr",
            defaultValue = "0",
            description = "SWAG: hold the learning rate here from --swag-from on (0 = keep the schedule)")
    double swagLr;

    @Override
    public Map<String, String> flags() {
        Map<String, String> f = new HashMap<>(Map.of(
                "steps", "--steps",
                "batchSize", "--batch-size",
                "gradAccumulation", "--grad-accumulation",
                "evalEvery", "--eval-every",
                "checkpointEvery", "--checkpoint-every",
                "validationSplit.name", "--val-split",
                "trainSplit.limit", "--train-limit",
                "validationSplit.limit", "--val-limit",
                "swag.start", "--swag-from"));
        f.putAll(Map.of("swag.every", "--swag-every", "swag.rank", "--swag-rank", "swag.lr", "--swag-lr"));
        f.putAll(OptimizerOptions.FLAGS);
        f.putAll(LoraOptions.FLAGS);
        f.putAll(TaskOptions.FLAGS);
        return f;
    }

    @Override
    public void run() {
        if (k < 1) {
            throw new IllegalArgumentException("--k must be at least 1");
        }
        Violations v = new Violations(); // every bad flag at once
        TrainConfig config = v.collect(() -> TrainConfig.builder()
                .lora(lora::apply)
                .steps(steps)
                .batchSize(batchSize)
                .gradAccumulation(gradAccumulation)
                .optimizer(optimizer::apply)
                .evalEvery(evalEvery)
                .checkpointEvery(checkpointEvery)
                .swag(swagFrom < 0 ? SwagConfig.OFF : new SwagConfig(swagFrom, swagEvery, swagRank, swagLr))
                .build());
        TaskData taskData = v.collect(() -> taskOptions
                .data()
                .train(trainSplit, trainLimit)
                .validation(valSplit, valLimit)
                .build());
        v.throwIfAny();
        new OptimaJob(taskOptions.model, taskData, config, k, seed).run(out, new OptimaJob.Listener() {
            private ProgressBar bar;
            private int current = -1;
            private double tokensPerSecond = Double.NaN;

            @Override
            public void onStart(int trainItems, int validationItems) {
                System.err.printf(
                        "%s: %d training items, %d validation items%n", taskOptions.task, trainItems, validationItems);
            }

            @Override
            public void onZeroShot(double accuracy, double nll) {
                System.out.printf("zero-shot %s: accuracy %.4f, NLL %.4f%n", valSplit, accuracy, nll);
            }

            @Override
            public void onStep(int run, int step, int total, double loss, double tokensPerSecond) {
                if (run != current) {
                    current = run;
                    bar = Progress.bar(OptimaJob.runName(run), total);
                }
                bar.stepTo(step);
                bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", loss, tokensPerSecond));
                this.tokensPerSecond = tokensPerSecond;
            }

            @Override
            public void onEval(int run, int step, double accuracy, double nll) {
                if (bar != null) {
                    bar.setExtraMessage(String.format(" val acc %.4f nll %.4f", accuracy, nll));
                }
            }

            @Override
            public void onOptimum(int run, Path adapter) {
                if (bar != null && current == run) {
                    bar.close();
                }
                String rate = Double.isNaN(tokensPerSecond)
                        ? "" // found already trained
                        : String.format(" (%.0f training tokens/s)", tokensPerSecond);
                System.out.printf("%s: %s%s%n", OptimaJob.runName(run), Trainer.summary(adapter), rate);
                tokensPerSecond = Double.NaN;
            }
        });
    }
}
