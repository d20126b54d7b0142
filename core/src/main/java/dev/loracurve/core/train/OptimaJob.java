package dev.loracurve.core.train;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.eval.Metrics;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import java.nio.file.Path;
import java.util.List;

/**
 * K independent LoRA optima that differ only in seed: run-0 … run-K-1 under one folder. Rerunning
 * resumes (finished runs are skipped, an interrupted one continues from its checkpoint), so the
 * command and the trainer service are both just "run it again" after a crash.
 */
public record OptimaJob(Path model, TaskData data, TrainConfig config, int k, long seed) {

    /** What a caller hears: each step of each run, and each finished optimum. */
    public interface Listener {
        default void onStart(int trainItems, int validationItems) {}

        /** The base model's validation accuracy and NLL, before any training. */
        default void onZeroShot(double accuracy, double nll) {}

        void onStep(int run, int step, int steps, double loss, double tokensPerSecond);

        default void onEval(int run, int step, double accuracy, double nll) {}

        default void onOptimum(int run, Path adapter) {}

        /** Run {@code run} wrote a resumable checkpoint folder. */
        default void onCheckpoint(int run, Path checkpoint) {}
    }

    public OptimaJob {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
    }

    public static String runName(int i) {
        return "run-" + i;
    }

    public void run(Path out, Listener listener) {
        List<Item> trainItems = data.train(); // data errors before the model is loaded
        List<Item> valItems = data.validation();
        List<Example> train;
        List<Example> val;
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            PromptEncoder encoder = new PromptEncoder(tok, data.maxLength());
            train = encoder.encode(trainItems);
            val = encoder.encode(valItems);
        }
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m)) {
            listener.onStart(train.size(), val.size());
            if (!val.isEmpty()) {
                double[][] p = ChoiceScorer.predict(decoder, m, val, LoraDelta.NONE, config.batchSize());
                int[] y = val.stream().mapToInt(Example::label).toArray();
                listener.onZeroShot(Metrics.accuracy(p, y), Metrics.nll(p, y));
            }
            Trainer trainer = new Trainer(decoder, m, config);
            for (int i = 0; i < k; i++) {
                int run = i;
                Path dir = out.resolve(runName(i));
                trainer.train(train, val, seed + i, dir, model.getFileName().toString(), new Trainer.Listener() {
                    @Override
                    public void onStep(int step, int steps, double loss, double tokensPerSecond) {
                        listener.onStep(run, step, steps, loss, tokensPerSecond);
                    }

                    @Override
                    public void onEval(int step, double accuracy, double nll) {
                        listener.onEval(run, step, accuracy, nll);
                    }

                    @Override
                    public void onCheckpoint(Path checkpoint) {
                        listener.onCheckpoint(run, checkpoint);
                    }
                });
                listener.onOptimum(i, dir);
            }
        }
    }
}
