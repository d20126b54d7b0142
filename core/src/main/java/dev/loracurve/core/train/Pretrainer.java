package dev.loracurve.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.loracurve.core.config.Violations;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.LanguageModelLoss;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.model.WeightSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Full-parameter causal-LM training of a small model from random weights: how the demo gets a base
 * model that knows its world. Every weight lives in one flat float vector updated by AdamW in Java,
 * as the LoRA trainer does for θ; each step builds the decoder over the current weights, marks
 * them for gradients and reads the gradients back. Deterministic for a seed on one machine.
 *
 * @param optimizer AdamW and its schedule ({@link #optimizer(double, int)}: GPT-style β2 = 0.95, cosine)
 */
public record Pretrainer(int steps, int batchSize, OptimizerConfig optimizer, long seed) {

    public interface Listener {
        void onStep(int step, int steps, double loss);
    }

    public Pretrainer {
        Violations v = new Violations().positive("steps", steps).positive("batchSize", batchSize);
        optimizer.checkWarmup(v, steps);
        v.throwIfAny();
    }

    /** The pretraining optimizer: peak {@code lr} after {@code warmupSteps}, cosine decay, β2 = 0.95, clip 1.0. */
    public static OptimizerConfig optimizer(double lr, int warmupSteps) {
        return OptimizerConfig.builder()
                .lr(lr)
                .warmupSteps(warmupSteps)
                .adam(new OptimizerConfig.Adam(0.9, 0.95, 1e-8))
                .build();
    }

    /**
     * Mean next-token NLL of {@code sequences} under the weights of {@code source}, and its gradient
     * with respect to every weight, handed to {@code gradient} by checkpoint name (a tied head's
     * share is in the embedding's).
     */
    public static double lossAndGradients(
            ModelConfig config,
            WeightSource source,
            DataType dtype,
            List<long[]> sequences,
            NDManager parent,
            BiConsumer<String, NDArray> gradient) {
        try (NDManager local = parent.newSubManager();
                GradientCollector gc = Engines.pytorch().newGradientCollector();
                Decoder decoder = Decoder.fromWeights(config, source, local, dtype)) {
            decoder.weights().values().forEach(w -> w.setRequiresGradient(true));
            TokenBatch batch = TokenBatch.of(sequences);
            NDArray nll = LanguageModelLoss.meanNextTokenNll(
                    decoder.logits(decoder.hidden(batch.idsArray(local), batch, LoraDelta.NONE)), batch);
            gc.backward(nll);
            decoder.weights().forEach((name, w) -> gradient.accept(name, w.getGradient()));
            return nll.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** Trains on token sequences (each with its BOS) and returns every weight by checkpoint name. */
    public Map<String, float[]> train(ModelConfig config, List<long[]> sequences, Listener listener) {
        Map<String, long[]> shapes = config.tensorShapes();
        Map<String, int[]> span = new LinkedHashMap<>(); // name → {offset, length} in the flat vector
        int size = 0;
        RandomWeights init = new RandomWeights(seed);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int n = Math.toIntExact(Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b));
            span.put(e.getKey(), new int[] {size, n});
            size += n;
        }
        float[] theta = new float[size];
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int[] s = span.get(e.getKey());
            System.arraycopy(init.read(e.getKey(), e.getValue()), 0, theta, s[0], s[1]);
        }
        WeightSource current = new WeightSource() {
            @Override
            public float[] read(String name, long... shape) {
                int[] s = span.get(name);
                return Arrays.copyOfRange(theta, s[0], s[0] + s[1]);
            }

            @Override
            public boolean has(String name) {
                return span.containsKey(name);
            }
        };
        AdamW adam = optimizer.newAdamW(size);
        DataOrder<long[]> order = new DataOrder<>(sequences, seed);
        float[] grad = new float[size];
        try (NDManager root = Engines.newManager()) {
            for (int step = 0; step < steps; step++) {
                double loss = lossAndGradients(
                        config,
                        current,
                        DataType.FLOAT32,
                        order.batch((long) step * batchSize, batchSize),
                        root,
                        (name, g) -> System.arraycopy(g.toFloatArray(), 0, grad, span.get(name)[0], span.get(name)[1]));
                AdamW.clip(optimizer.clipNorm(), grad);
                adam.step(theta, grad, optimizer.lrAt(step, steps));
                listener.onStep(step + 1, steps, loss);
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            out.put(e.getKey(), current.read(e.getKey(), e.getValue()));
        }
        return out;
    }
}
