package dev.loracurve.cli;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.eval.Metrics;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.Task;
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
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune K LoRA adapters (run-0 … run-K-1) on a task; rerunning the same command resumes.")
final class TrainCommand implements Runnable {
    @Option(names = "--model", required = true, description = "base model folder") Path model;
    @Option(names = "--task", required = true) String task;
    @Option(names = "--data", required = true, description = "data file or folder") Path data;
    @Option(names = "--out", required = true, description = "output folder: run-0, run-1, …") Path out;
    @Option(names = "--k", defaultValue = "3", description = "number of optima (default ${DEFAULT-VALUE})") int k;
    @Option(names = "--seed", defaultValue = "0", description = "seed of run-0; run-i uses seed + i") long seed;
    @Option(names = "--steps", required = true, description = "optimizer steps per run") int steps;
    @Option(names = "--batch-size", defaultValue = "16") int batchSize;
    @Option(names = "--grad-accumulation", defaultValue = "1") int gradAccumulation;
    @Option(names = "--lr", defaultValue = "3e-3") double lr;
    @Option(names = "--warmup", defaultValue = "0", description = "linear warm-up steps") int warmup;
    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine, linear or constant") String schedule;
    @Option(names = "--weight-decay", defaultValue = "0") double weightDecay;
    @Option(names = "--betas", defaultValue = "0.9,0.999", split = ",") double[] betas;
    @Option(names = "--adam-eps", defaultValue = "1e-8") double adamEps;
    @Option(names = "--clip-norm", defaultValue = "1.0", description = "0 = no clipping") double clipNorm;
    @Option(names = "--rank", defaultValue = "8") int rank;
    @Option(names = "--alpha", defaultValue = "16") double alpha;
    @Option(names = "--dropout", defaultValue = "0.05") double dropout;
    @Option(names = "--targets", defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", split = ",")
    List<String> targets;
    @Option(names = "--rslora") boolean rslora;
    @Option(names = "--max-length", defaultValue = "256") int maxLength;
    @Option(names = "--train-split", defaultValue = "train") String trainSplit;
    @Option(names = "--val-split", defaultValue = "validation",
            description = "validation split; none; or holdout:N (the last N training items, when the data has no validation split)")
    String valSplit;
    @Option(names = "--train-limit", defaultValue = "0", description = "use the first N training items (0 = all)") int trainLimit;
    @Option(names = "--val-limit", defaultValue = "0") int valLimit;
    @Option(names = "--cues", split = ",", description = "replace the task's answer cues, one word per class, e.g. sad,happy")
    List<String> cues;
    @Option(names = "--eval-every", defaultValue = "0", description = "validate every N steps (0 = at the end)") int evalEvery;
    @Option(names = "--checkpoint-every", defaultValue = "50") int checkpointEvery;

    @Override
    public void run() {
        if (k < 1) {
            throw new IllegalArgumentException("--k must be at least 1");
        }
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
        LoraConfig lora;
        try {
            lora = new LoraConfig(rank, alpha, dropout, projections, rslora);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + (e.getMessage().startsWith("r ") ? "rank" : "dropout") + ": " + e.getMessage());
        }
        TrainConfig config = new TrainConfig(lora, steps, batchSize, gradAccumulation, lr, warmup, schedule, weightDecay,
                betas[0], betas[1], adamEps, clipNorm, evalEvery, checkpointEvery, maxLength);
        Task t = Task.byName(task);
        List<Item> all = TasksCommand.withCues(t.load(data, trainSplit), cues);
        List<Item> valItems;
        if (valSplit.startsWith("holdout:")) {
            int n = Integer.parseInt(valSplit.substring("holdout:".length()));
            if (n <= 0 || n >= all.size()) {
                throw new IllegalArgumentException("--val-split holdout:N needs 0 < N < " + all.size());
            }
            valItems = TasksCommand.limit(all.subList(all.size() - n, all.size()), valLimit);
            all = all.subList(0, all.size() - n);
        } else {
            valItems = valSplit.equals("none") ? List.of() : TasksCommand.withCues(TasksCommand.limit(t.load(data, valSplit), valLimit), cues);
        }
        List<Item> trainItems = TasksCommand.limit(all, trainLimit);
        try (NDManager m = Engines.newManager();
             Decoder decoder = Decoder.load(model, m);
             TextTokenizer tok = TextTokenizer.load(model)) {
            PromptEncoder encoder = new PromptEncoder(tok, maxLength);
            List<Example> train = encoder.encode(trainItems);
            List<Example> val = encoder.encode(valItems);
            System.err.printf("%s: %d training items, %d validation items, %d truncated%n", task, train.size(), val.size(),
                    train.stream().filter(Example::truncated).count() + val.stream().filter(Example::truncated).count());
            if (!val.isEmpty()) {
                double[][] p = ChoiceScorer.predict(decoder, m, val, LoraDelta.NONE, batchSize);
                int[] y = val.stream().mapToInt(Example::label).toArray();
                System.out.printf("zero-shot %s: accuracy %.4f, NLL %.4f%n", valSplit, Metrics.accuracy(p, y), Metrics.nll(p, y));
            }
            Trainer trainer = new Trainer(decoder, m, config);
            for (int i = 0; i < k; i++) {
                String name = "run-" + i;
                try (ProgressBar bar = Progress.bar(name, steps)) {
                    trainer.train(train, val, seed + i, out.resolve(name), model.getFileName().toString(), new Trainer.Listener() {
                        @Override
                        public void onStep(int step, int total, double loss, double tokensPerSecond) {
                            bar.stepTo(step);
                            bar.setExtraMessage(String.format(" loss %.4f  %.0f tok/s", loss, tokensPerSecond));
                        }

                        @Override
                        public void onEval(int step, double accuracy, double nll) {
                            bar.setExtraMessage(String.format(" val acc %.4f nll %.4f", accuracy, nll));
                        }
                    });
                }
                System.out.printf("%s: %s%n", name, Trainer.summary(out.resolve(name)));
            }
        }
    }

}
