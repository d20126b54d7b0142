package dev.loracurve.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.WeightSource;
import dev.loracurve.core.testing.TinyModels;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Full-parameter training: gradients of every weight against central differences, and a run that learns. */
class PretrainerTest {
    private static final List<long[]> SEQUENCES =
            List.of(new long[] {1, 5, 9, 3, 7, 2}, new long[] {1, 4, 4, 8}, new long[] {1, 30, 2});

    /** Random weights in float64, with one coordinate that can be moved. */
    private static final class Perturbed implements WeightSource {
        final RandomWeights base = new RandomWeights(3);
        String name;
        int index;
        double delta;

        @Override
        public float[] read(String n, long... shape) {
            return base.read(n, shape);
        }

        @Override
        public double[] readDouble(String n, long... shape) {
            double[] d = WeightSource.super.readDouble(n, shape);
            if (n.equals(name)) {
                d[index] += delta;
            }
            return d;
        }

        @Override
        public boolean has(String n) {
            return true;
        }
    }

    @Test
    void everyWeightsGradientMatchesCentralDifferencesInFloat64() {
        for (ModelConfig config : List.of(TinyModels.qwen2(), TinyModels.llama())) { // tied and untied heads, biases
            Perturbed src = new Perturbed();
            Map<String, double[]> grads = new HashMap<>();
            try (NDManager m = Engines.newManager()) {
                Pretrainer.lossAndGradients(
                        config, src, DataType.FLOAT64, SEQUENCES, m, (n, g) -> grads.put(n, g.toDoubleArray()));
                assertEquals(
                        config.tensorShapes().keySet().stream()
                                .filter(n -> !n.equals("lm_head.weight") || !config.tieWordEmbeddings())
                                .toList(),
                        List.copyOf(grads.keySet().stream()
                                .sorted(Comparator.comparingInt(
                                        n -> List.copyOf(config.tensorShapes().keySet())
                                                .indexOf(n)))
                                .toList()));
                SplittableRandom rng = new SplittableRandom(1);
                double h = 1e-6;
                for (Map.Entry<String, double[]> e : grads.entrySet()) {
                    for (int k = 0; k < 4; k++) {
                        src.name = e.getKey();
                        src.index = rng.nextInt(e.getValue().length);
                        src.delta = h;
                        double plus =
                                Pretrainer.lossAndGradients(config, src, DataType.FLOAT64, SEQUENCES, m, (n, g) -> {});
                        src.delta = -h;
                        double minus =
                                Pretrainer.lossAndGradients(config, src, DataType.FLOAT64, SEQUENCES, m, (n, g) -> {});
                        double fd = (plus - minus) / (2 * h);
                        double got = e.getValue()[src.index];
                        assertTrue(
                                Math.abs(fd - got) <= 1e-6 + 1e-5 * Math.abs(fd),
                                e.getKey() + "[" + src.index + "]: autograd " + got + " vs central difference " + fd);
                    }
                }
                src.name = null;
            }
        }
    }

    @Test
    void pretrainingLearnsARepeatedCorpusAndIsDeterministic() {
        ModelConfig config = TinyModels.llama();
        List<long[]> corpus = List.of(new long[] {1, 5, 6, 7, 8, 9}, new long[] {1, 10, 11, 12, 13, 14});
        Pretrainer p = new Pretrainer(150, 2, Pretrainer.optimizer(1e-2, 10), 5);
        double[] first = new double[1];
        double[] last = new double[1];
        Map<String, float[]> a = p.train(config, corpus, (step, steps, loss) -> {
            if (step == 1) {
                first[0] = loss;
            }
            last[0] = loss;
        });
        // the floor is ln 2 / 5: after BOS both sequences are equally likely, the rest is determined
        assertTrue(first[0] > 3 && last[0] < Math.log(2) / 5 + 0.02, "loss " + first[0] + " → " + last[0]);
        Map<String, float[]> b = p.train(config, corpus, (step, steps, loss) -> {});
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name), b.get(name), name);
        }
    }
}
