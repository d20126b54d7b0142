package dev.loracurve.core.posterior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.eval.Metrics;
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
 * The prior precision against its closed form, the Fisher and the linearised predictive's
 * covariance against central differences of the scorer's log-probabilities, the posterior's
 * variance against its definition, the predictive's draws against their covariance.
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
        double[] grid = Laplace.precisionGrid(best);
        assertEquals(best, grid[4], 1e-12 * best, "the evidence's λ is on the grid");
        assertEquals(best * 1e-2, grid[0], 1e-12 * best);
        assertEquals(best * 1e4, grid[grid.length - 1], 1e-8 * best);
        assertEquals(1 / (fisher[1] + best), Laplace.posteriorVariance(fisher, best)[1], 1e-6 / (fisher[1] + best));
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
        withTinyModel(3, tiny -> {
            float[] theta =
                    RandomData.points(1, tiny.layout().intSize(), 0.5, 9).get(0);
            int total = 30; // the items stand for 30: F scales by 10
            float[] fisher = Laplace.fisherDiagonal(tiny.objective(), theta, tiny.items(), total);
            int largest = 0;
            for (int k = 1; k < fisher.length; k++) {
                largest = fisher[k] > fisher[largest] ? k : largest;
            }
            double[][] p = tiny.predict(theta);
            for (int k : new int[] {largest, 0, fisher.length / 2, fisher.length - 1}) {
                double want = 0;
                double[][] g = tiny.logProbDerivative(theta, k);
                for (int i = 0; i < p.length; i++) {
                    for (int c = 0; c < p[i].length; c++) {
                        want += p[i][c] * g[i][c] * g[i][c];
                    }
                }
                want *= (double) total / p.length;
                assertEquals(want, fisher[k], 2e-2 * want + 1e-6, "θ[" + k + "]");
            }
            assertTrue(fisher[largest] > 1e-3, "a coordinate that matters: " + fisher[largest]);
        });
    }

    @Test
    void theLinearisedCovarianceIsJSigmaJtOfCentralDifferences() throws Exception {
        withTinyModel(2, tiny -> {
            int d = tiny.layout().intSize();
            float[] theta = RandomData.points(1, d, 0.5, 11).get(0);
            // variance on a few coordinates only, so that the reference needs few differences
            int[] coords = {0, 3, d / 3, d / 2, d - 1};
            double[] var = {0.3, 1.0, 2.0, 0.5, 1.5};
            float[] variance = new float[d];
            double[][][] diff = new double[coords.length][][]; // [coordinate][item][class]: ∂ log p
            for (int j = 0; j < coords.length; j++) {
                variance[coords[j]] = (float) var[j];
                diff[j] = tiny.logProbDerivative(theta, coords[j]);
            }
            double[][] p = tiny.predict(theta);
            for (int i = 0; i < p.length; i++) {
                LogitGaussian g = Laplace.logitGaussian(
                        tiny.objective(), theta, variance, tiny.items().get(i));
                int classes = p[i].length;
                double[][] want = new double[classes][classes];
                double largest = 0;
                for (int a = 0; a < classes; a++) {
                    assertEquals(Math.log(p[i][a]), g.mean()[a], 1e-4, "log p, item " + i);
                    for (int b = 0; b < classes; b++) {
                        for (int j = 0; j < coords.length; j++) {
                            want[a][b] += var[j] * diff[j][i][a] * diff[j][i][b];
                        }
                        largest = Math.max(largest, Math.abs(want[a][b]));
                    }
                }
                for (int a = 0; a < classes; a++) {
                    for (int b = 0; b < classes; b++) {
                        // float32 differences: the error is relative to Σ's scale, not to each entry
                        assertEquals(want[a][b], g.covariance()[a][b], 2e-2 * largest, "Σ[" + a + "][" + b + "]");
                    }
                }
                assertTrue(largest > 1e-4, "the covariance is not trivially zero: " + largest);
            }
        });
    }

    @Test
    void theValidationNllIsThePredictivesAtEachPrecisionAndMapsAtALargeOne() throws Exception {
        withTinyModel(4, tiny -> {
            int d = tiny.layout().intSize();
            float[] theta = RandomData.points(1, d, 0.5, 12).get(0);
            float[] fisher = Laplace.fisherDiagonal(tiny.objective(), theta, tiny.items(), 40);
            double[] grid = {0.05, 1, 1e9};
            double[] nll = Laplace.validationNll(tiny.objective(), theta, fisher, grid, tiny.items(), 16, 77);
            int[] labels = tiny.items().stream().mapToInt(Example::label).toArray();
            for (int g = 0; g < grid.length; g++) {
                double[][][] draws = Laplace.linearisedPredictive(
                        tiny.objective(), theta, Laplace.posteriorVariance(fisher, grid[g]), tiny.items(), 16, 77);
                assertEquals(Metrics.nll(Metrics.average(draws), labels), nll[g], 1e-9, "λ = " + grid[g]);
            }
            double map = Metrics.nll(tiny.predict(theta), labels);
            assertEquals(map, nll[2], 1e-4, "a prior that pins θ leaves the MAP model");
            assertTrue(Math.abs(nll[0] - map) > 1e-3, "a loose prior changes the predictive: " + nll[0] + " vs " + map);
        });
    }

    @Test
    void theDrawsHaveTheCovarianceEvenWhenItIsSingular() {
        // Σ = B Bᵀ of rank 2 over 3 classes
        double[][] b = {{1.0, 0.2}, {-0.5, 0.7}, {0.5, 0.9}};
        double[][] sigma = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                sigma[i][j] = b[i][0] * b[j][0] + b[i][1] * b[j][1];
            }
        }
        double[][] l = LogitGaussian.choleskySemidefinite(sigma);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double llt = 0;
                for (int k = 0; k < 3; k++) {
                    llt += l[i][k] * l[j][k];
                }
                assertEquals(sigma[i][j], llt, 1e-9, "L Lᵀ [" + i + "][" + j + "]");
            }
        }
        double[] mean = {0.3, -1.0, 0.5};
        int n = 40_000;
        double[][] draws = new LogitGaussian(mean, sigma).softmaxSamples(n, new SplittableRandom(3));
        // log p_a − log p_0 = f_a − f_0: its mean and covariance follow from mean and Σ
        double[] m1 = new double[3];
        double[][] m2 = new double[3][3];
        for (double[] q : draws) {
            for (int a = 1; a < 3; a++) {
                double da = Math.log(q[a] / q[0]);
                m1[a] += da / n;
                for (int c = 1; c < 3; c++) {
                    m2[a][c] += da * Math.log(q[c] / q[0]) / n;
                }
            }
        }
        for (int a = 1; a < 3; a++) {
            assertEquals(mean[a] - mean[0], m1[a], 0.02, "mean of f_" + a + " − f_0");
            for (int c = 1; c < 3; c++) {
                double want = sigma[a][c] - sigma[a][0] - sigma[0][c] + sigma[0][0];
                assertEquals(want, m2[a][c] - m1[a] * m1[c], 0.03 * Math.max(1, Math.abs(want)), "cov " + a + c);
            }
        }
        double[][] still = new LogitGaussian(mean, new double[3][3]).softmaxSamples(2, new SplittableRandom(4));
        double z = Math.exp(0.3) + Math.exp(-1.0) + Math.exp(0.5);
        assertEquals(Math.exp(-1.0) / z, still[1][1], 1e-12, "no covariance: softmax of the mean");
    }

    /** The tiny model with a rank-2 LoRA on q and v, and the first TREC test items. */
    private record Tiny(Decoder decoder, NDManager manager, LoraLayout layout, List<Example> items) {
        ClassifierObjective objective() {
            return new ClassifierObjective(decoder, manager, layout);
        }

        double[][] predict(float[] theta) {
            try (NDManager local = manager.newSubManager()) {
                return ChoiceScorer.predict(
                        decoder, local, items, new FlatLora(layout, Tensors.of(local, theta), false), 8);
            }
        }

        /** ∂ log p / ∂θ_k by central differences: [item][class]. */
        double[][] logProbDerivative(float[] theta, int k) {
            double h = 1e-2;
            double[][] plus = predict(shifted(theta, k, h));
            double[][] minus = predict(shifted(theta, k, -h));
            double[][] out = new double[plus.length][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[plus[i].length];
                for (int c = 0; c < out[i].length; c++) {
                    out[i][c] = (Math.log(plus[i][c]) - Math.log(minus[i][c])) / (2 * h);
                }
            }
            return out;
        }
    }

    private interface TinyBody {
        void run(Tiny tiny) throws Exception;
    }

    private void withTinyModel(int items, TinyBody body) throws Exception {
        Path model = TinyWorld.write(dir);
        TaskData data = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .test("test", items)
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
            List<Example> encoded = new PromptEncoder(tok, data.maxLength()).encode(data.test());
            body.run(new Tiny(decoder, m, new LoraLayout(decoder.config(), lora), encoded));
        }
    }

    private static float[] shifted(float[] theta, int k, double h) {
        float[] out = theta.clone();
        out[k] += (float) h;
        return out;
    }
}
