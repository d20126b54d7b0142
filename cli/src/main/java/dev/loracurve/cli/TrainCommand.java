package dev.loracurve.cli;

import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.OptimaJob;
import dev.loracurve.core.train.TrainConfig;
import dev.loracurve.core.train.Trainer;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains K independent LoRA optima that differ only in seed. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Fine-tune K LoRA adapters (run-0 … run-K-1) on a task; rerunning the same command resumes.")
final class TrainCommand implements Runnable {
    @Option(names = "--model", required = true, description = "base model folder")
    Path model;

    @Option(names = "--task", required = true)
    String task;

    @Option(names = "--data", required = true, description = "data file or folder")
    Path data;

    @Option(names = "--out", required = true, description = "output folder: run-0, run-1, …")
    Path out;

    @Option(names = "--k", defaultValue = "3", description = "number of optima (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seed", defaultValue = "0", description = "seed of run-0; run-i uses seed + i")
    long seed;

    @Option(names = "--steps", required = true, description = "optimizer steps per run")
    int steps;

    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;

    @Option(names = "--grad-accumulation", defaultValue = "1")
    int gradAccumulation;

    @Option(names = "--lr", defaultValue = "3e-3")
    double lr;

    @Option(names = "--warmup", defaultValue = "0", description = "linear warm-up steps")
    int warmup;

    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine, linear or constant")
    String schedule;

    @Option(names = "--weight-decay", defaultValue = "0")
    double weightDecay;

    @Option(names = "--betas", defaultValue = "0.9,0.999", split = ",")
    double[] betas;

    @Option(names = "--adam-eps", defaultValue = "1e-8")
    double adamEps;

    @Option(names = "--clip-norm", defaultValue = "1.0", description = "0 = no clipping")
    double clipNorm;

    @Option(names = "--rank", defaultValue = "8")
    int rank;

    @Option(names = "--alpha", defaultValue = "16")
    double alpha;

    @Option(names = "--dropout", defaultValue = "0.05")
    double dropout;

    @Option(names = "--targets", defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", split = ",")
    List<String> targets;

    @Option(names = "--rslora")
    boolean rslora;

    @Option(names = "--max-length", defaultValue = "256")
    int maxLength;

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

    @Option(
            names = "--cues",
            split = ",",
            description = "replace the task's answer cues, one word per class, e.g. sad,happy")
    List<String> cues;

    @Option(names = "--eval-every", defaultValue = "0", description = "validate every N steps (0 = at the end)")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "50")
    int checkpointEvery;

    @Override
    public void run() {
        Set<Projection> projections = EnumSet.noneOf(Projection.class);
        for (String t : targets) {
            Projection p = Projection.byName(t.trim());
            if (p == null) {
                throw new IllegalArgumentException("--targets: unknown module '" + t + "'");
            }
            projections.add(p);
        }
        if (betas.length != 2) {
            throw new IllegalArgumentException("--betas takes two values, e.g. 0.9,0.999");
        }
        if (k < 1) {
            throw new IllegalArgumentException("--k must be at least 1");
        }
        LoraConfig lora;
        try {
            lora = new LoraConfig(rank, alpha, dropout, projections, rslora);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--" + (e.getMessage().startsWith("r ") ? "rank" : "dropout") + ": " + e.getMessage());
        }
        TrainConfig config = new TrainConfig(
                lora,
                steps,
                batchSize,
                gradAccumulation,
                lr,
                warmup,
                schedule,
                weightDecay,
                betas[0],
                betas[1],
                adamEps,
                clipNorm,
                evalEvery,
                checkpointEvery,
                maxLength);
        TaskData taskData = new TaskData(
                Task.byName(task), data, trainSplit, valSplit, "test", trainLimit, valLimit, 0, cues, maxLength);
        new OptimaJob(model, taskData, config, k, seed).run(out, new OptimaJob.Listener() {
            private ProgressBar bar;
            private int current = -1;

            @Override
            public void onStart(int trainItems, int validationItems) {
                System.err.printf("%s: %d training items, %d validation items%n", task, trainItems, validationItems);
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
                System.out.printf("%s: %s%n", OptimaJob.runName(run), Trainer.summary(adapter));
            }
        });
    }
}
