package dev.loracurve.core.posterior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyWorld;
import dev.loracurve.core.train.ClassifierObjective;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prior precision against its closed form, the Fisher against central differences of the
 * scorer's log-probabilities, the posterior's variance against its definition.
 */
class LaplaceTest {
    @TempDir
    Path dir;

    @Test
    void withEqualCurvaturesThePriorPrecisionSolvesAQuadratic() {
        int d = 50;
        float f = 3.5f;
        float[] theta = RandomData.points(1, d, 0.7, 5).get(0);
        float[] fisher = new float[d];
        Arrays.fill(fisher, f);
        double s = 0;
        for (float x : theta) {
            s += (double) x * x;
        }
        // d f / (λ (f + λ)) = S  ⇔  S λ² + S f λ − d f = 0
        double want = (-s * f + Math.sqrt(s * s * f * f + 4 * s * d * f)) / (2 * s);
        assertEquals(want, Laplace.priorPrecision(theta, fisher), want * 1e-9);
    }

    @Test
    void thePriorPrecisionMaximisesTheMarginalLikelihood() {
        float[] theta = RandomData.points(1, 40, 1.0, 6).get(0);
        float[] fisher = new float[40];
        SplittableRandom r = new SplittableRandom(7);
        for (int k = 0; k < fisher.length; k++) {
            fisher[k] = k % 3 == 0 ? 0f : (float) Math.exp(4 * r.nextDouble() - 2);
        }
        double best = Laplace.priorPrecision(theta, fisher);
        for (double factor : new double[] {0.5, 0.9, 0.99, 1.01, 1.1, 2}) {
            assertTrue(logEvidence(theta, fisher, best) > logEvidence(theta, fisher, best * factor), "× " + factor);
        }
        assertThrows(IllegalArgumentException.class, () -> Laplace.priorPrecision(theta, new float[40]));
        GaussianPosterior g = Laplace.posterior(theta, fisher, best);
        assertEquals(1 / (fisher[1] + best), g.variance()[1], 1e-6 / (fisher[1] + best));
        assertTrue(g.lowRank().isEmpty());
    }

    private static double logEvidence(float[] theta, float[] fisher, double lambda) {
        double v = 0;
        for (int k = 0; k < theta.length; k++) {
            v += -0.5 * lambda * theta[k] * theta[k] + 0.5 * Math.log(lambda) - 0.5 * Math.log(fisher[k] + lambda);
        }
        return v;
    }

    @Test
    void theFisherIsTheClassWeightedSquareOfCentralDifferences() throws Exception {
        Path model = TinyWorld.write(dir);
        TaskData data = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .test("test", 3)
                .build();
        LoraConfig lora = LoraConfig.builder()
                .rank(2)
                .alpha(4)
                .dropout(0)
                .targets(Projection.Q_PROJ, Projection.V_PROJ)
                .build();
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m);
                TextTokenizer tok = TextTokenizer.load(model)) {
            List<Example> items = new PromptEncoder(tok, data.maxLength()).encode(data.test());
            LoraLayout layout = new LoraLayout(decoder.config(), lora);
            float[] theta = RandomData.points(1, layout.intSize(), 0.5, 9).get(0);
            int total = 30; // the items stand for 30: F scales by 10
            float[] fisher = Laplace.fisherDiagonal(new ClassifierObjective(decoder, m, layout), theta, items, total);
            int largest = 0;
            for (int k = 1; k < fisher.length; k++) {
                largest = fisher[k] > fisher[largest] ? k : largest;
            }
            for (int k : new int[] {largest, 0, fisher.length / 2, fisher.length - 1}) {
                double want = 0;
                double[][] p = predict(decoder, m, layout, items, theta);
                double h = 1e-2;
                double[][] plus = predict(decoder, m, layout, items, shifted(theta, k, h));
                double[][] minus = predict(decoder, m, layout, items, shifted(theta, k, -h));
                for (int i = 0; i < items.size(); i++) {
                    for (int c = 0; c < p[i].length; c++) {
                        double g = (Math.log(plus[i][c]) - Math.log(minus[i][c])) / (2 * h);
                        want += p[i][c] * g * g;
                    }
                }
                want *= (double) total / items.size();
                assertEquals(want, fisher[k], 2e-2 * want + 1e-6, "θ[" + k + "]");
            }
            assertTrue(fisher[largest] > 1e-3, "a coordinate that matters: " + fisher[largest]);
        }
    }

    private static double[][] predict(Decoder d, NDManager m, LoraLayout layout, List<Example> items, float[] theta) {
        try (NDManager local = m.newSubManager()) {
            return ChoiceScorer.predict(d, local, items, new FlatLora(layout, Tensors.of(local, theta), false), 8);
        }
    }

    private static float[] shifted(float[] theta, int k, double h) {
        float[] out = theta.clone();
        out[k] += (float) h;
        return out;
    }
}
