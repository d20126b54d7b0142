package dev.loracurve.core.curve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyModels;
import dev.loracurve.core.train.Checkpoint;
import dev.loracurve.core.train.ClassifierObjective;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveFitterTest {
    @TempDir
    Path dir;

    static final ModelConfig MODEL = TinyModels.qwen2();
    static final LoraConfig LORA =
            LoraConfig.builder().rank(2).alpha(4).dropout(0).build();

    static List<Example> examples(int n, long seed) {
        return RandomData.examples(n, seed);
    }

    static List<float[]> randomPoints(int count, int dim, long seed) {
        return RandomData.points(count, dim, 0.2, seed);
    }

    @Test
    void scatteredGradientsEqualAutogradThroughTheCurve() {
        List<Example> batch = examples(6, 1);
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(MODEL, new RandomWeights(2), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(MODEL, LORA);
            BezierCurve curve = BezierCurve.free(2, 2, randomPoints(5, layout.intSize(), 3));
            for (double t : new double[] {0.3, 0.5, 0.85}) {
                float[][] scattered = new float[5][layout.intSize()];
                float[] g = new float[layout.intSize()];
                new ClassifierObjective(d, m, layout).gradient(curve.at(t), batch, false, g, 1f);
                curve.scatter(t, g, scattered);
                // reference: θ_t = Σ w_i P_i built inside the graph, gradients taken w.r.t. every P_i
                double[] w = curve.weights(t);
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    NDArray[] points = new NDArray[5];
                    NDArray theta = null;
                    for (int i = 0; i < 5; i++) {
                        points[i] = Tensors.of(step, curve.point(i));
                        points[i].setRequiresGradient(true);
                        NDArray term = Tensors.scale(points[i], w[i]);
                        theta = theta == null ? term : theta.add(term);
                    }
                    NDArray loss = ChoiceScorer.crossEntropy(
                            ChoiceScorer.logProbs(d, step, batch, new FlatLora(layout, theta, false)), batch);
                    gc.backward(loss);
                    for (int i = 0; i < 5; i++) {
                        float[] ref = points[i].getGradient().toFloatArray();
                        double scale = 0;
                        for (float x : ref) {
                            scale = Math.max(scale, Math.abs(x));
                        }
                        for (int k = 0; k < ref.length; k++) {
                            assertEquals(
                                    ref[k],
                                    scattered[i][k],
                                    1e-4 * scale + 1e-7,
                                    "t " + t + ", point " + i + ", θ[" + k + "]");
                        }
                    }
                }
            }
        }
    }

    private CurveFitConfig config(String perturbation, double scale, double js) {
        return CurveFitConfig.builder()
                .steps(12)
                .batchSize(4)
                .optimizer(o -> o.lr(1e-2).warmupSteps(2).weightDecay(1e-3))
                .pointsPerStep(2)
                .perturbation(Perturbation.Kind.parse(perturbation), scale)
                .diversity(js, 3)
                .dropout(true)
                .checkpointEvery(4)
                .build();
    }

    /**
     * φ at the anchors of a fitted anchored curve, read back from its folder as the evaluation reads
     * it, is each anchor itself: the model gives the same logits, bit for bit (t = 0, the junction,
     * t = 1).
     */
    @Test
    void anAnchoredCurveAtItsAnchorsGivesTheAnchorsLogitsExactly() throws Exception {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(MODEL, new RandomWeights(2), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(MODEL, LORA);
            List<float[]> optima = randomPoints(3, layout.intSize(), 4);
            Path out = dir.resolve("ends");
            new CurveFitter(d, m, LORA, config("none", 0, 0))
                    .fit(
                            BezierCurve.anchored(optima, 2, 0.0, 0),
                            "anchored",
                            examples(20, 5),
                            9,
                            out,
                            "tiny",
                            null,
                            (s, n, l, t) -> {});
            BezierCurve back = CurveFolder.read(out, MODEL).curve();
            TokenBatch batch = TokenBatch.of(List.of(new long[] {1, 5, 9, 2, 7}, new long[] {1, 8, 3}));
            double[] anchorsAt = {0, 0.5, 1};
            for (int i = 0; i < 3; i++) {
                float[] want = logits(d, m, layout, batch, optima.get(i));
                float[] got = logits(d, m, layout, batch, back.at(anchorsAt[i]));
                assertArrayEquals(want, got, "φ(" + anchorsAt[i] + ") against anchor " + i);
            }
            float[] middle = logits(d, m, layout, batch, back.at(0.25));
            assertFalse(Arrays.equals(middle, logits(d, m, layout, batch, optima.get(0))), "inside, another model");
        }
    }

    private static float[] logits(Decoder d, NDManager m, LoraLayout layout, TokenBatch batch, float[] theta) {
        try (NDManager step = m.newSubManager()) {
            FlatLora lora = new FlatLora(layout, Tensors.of(step, theta), false);
            return d.logits(d.hidden(batch.idsArray(step), batch, lora)).toFloatArray();
        }
    }

    @Test
    void pinnedPointsStayBitIdenticalAndInteriorPointsMove() throws Exception {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(MODEL, new RandomWeights(2), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(MODEL, LORA);
            List<float[]> optima = randomPoints(3, layout.intSize(), 4);
            for (CurveFitConfig cfg :
                    List.of(config("none", 0, 0), config("gaussian", 0.01, 0), config("sam", 0.05, 0.5))) {
                BezierCurve curve = BezierCurve.anchored(optima, 2, 0.0, 0);
                float[] interiorBefore = curve.point(1).clone();
                Path out = dir.resolve("curve-" + cfg.perturbation().kind());
                new CurveFitter(d, m, LORA, cfg)
                        .fit(curve, "anchored", examples(20, 5), 9, out, "tiny", null, (s, n, l, t) -> {});
                CurveFolder back = CurveFolder.read(out, MODEL);
                for (int i : new int[] {0, 2, 4}) {
                    assertArrayEquals(
                            optima.get(i / 2), back.curve().point(i), cfg.perturbation() + ": pinned point " + i);
                    assertTrue(back.curve().isPinned(i));
                }
                assertFalse(Arrays.equals(interiorBefore, back.curve().point(1)), "interior point trained");
                assertEquals("anchored", back.variant());
            }
        }
    }

    @Test
    void interruptedFitResumesBitIdentical() throws Exception {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(MODEL, new RandomWeights(2), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(MODEL, LORA);
            CurveFitConfig cfg = config("gaussian", 0.01, 0.3);
            List<Example> data = examples(20, 6);
            Path whole = dir.resolve("whole");
            new CurveFitter(d, m, LORA, cfg)
                    .fit(
                            BezierCurve.free(1, 3, randomPoints(4, layout.intSize(), 7)),
                            "free",
                            data,
                            3,
                            whole,
                            "tiny",
                            null,
                            (s, n, l, t) -> {});
            Path broken = dir.resolve("broken");
            RuntimeException crash = assertThrows(
                    RuntimeException.class,
                    () -> new CurveFitter(d, m, LORA, cfg)
                            .fit(
                                    BezierCurve.free(1, 3, randomPoints(4, layout.intSize(), 7)),
                                    "free",
                                    data,
                                    3,
                                    broken,
                                    "tiny",
                                    null,
                                    (s, n, l, t) -> {
                                        if (s == 10) {
                                            throw new RuntimeException("crash at step 10");
                                        }
                                    }));
            assertEquals("crash at step 10", crash.getMessage());
            assertTrue(Files.exists(dir.resolve("broken" + Checkpoint.SUFFIX)), "checkpoint of step 8 kept");
            assertFalse(Files.exists(broken.resolve(CurveFolder.FILE)), "no half-written curve");
            // restart with a fresh initial curve: the checkpoint's points replace it
            new CurveFitter(d, m, LORA, cfg)
                    .fit(
                            BezierCurve.free(1, 3, randomPoints(4, layout.intSize(), 99)),
                            "free",
                            data,
                            3,
                            broken,
                            "tiny",
                            null,
                            (s, n, l, t) -> {});
            for (int i = 0; i < 4; i++) {
                String name = String.format("point-%02d", i);
                assertArrayEquals(
                        Files.readAllBytes(whole.resolve(name).resolve(PeftAdapter.WEIGHTS)),
                        Files.readAllBytes(broken.resolve(name).resolve(PeftAdapter.WEIGHTS)),
                        name);
            }
        }
    }

    /** The batched JS objective's gradient against central differences of its value, in float64. */
    @Test
    void jsObjectiveGradientMatchesCentralDifferencesInFloat64() {
        List<Example> batch = examples(4, 8);
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(MODEL, new RandomWeights(2), m, DataType.FLOAT64)) {
            LoraLayout layout = new LoraLayout(MODEL, LORA);
            ClassifierObjective objective = new ClassifierObjective(d, m, layout);
            float[][] pts = randomPoints(3, layout.intSize(), 11).toArray(float[][]::new);
            double lambda = 0.7;
            float[][] grads = new float[3][layout.intSize()];
            objective.gradientWithJs(pts, batch, false, lambda, grads, 1f);
            SplittableRandom rng = new SplittableRandom(3);
            for (int trial = 0; trial < 12; trial++) {
                int point = trial % 3;
                int i = rng.nextInt(layout.intSize());
                float[][] plus = copy(pts);
                float[][] minus = copy(pts);
                plus[point][i] += 1e-3f;
                minus[point][i] -= 1e-3f;
                double step = (double) plus[point][i] - minus[point][i]; // the float32 step actually taken
                double fd = (value(objective, plus, batch, lambda) - value(objective, minus, batch, lambda)) / step;
                assertEquals(fd, grads[point][i], 1e-4 * Math.abs(fd) + 1e-6, "∂/∂θ_" + point + "[" + i + "]");
            }
        }
    }

    private static double value(ClassifierObjective objective, float[][] thetas, List<Example> batch, double lambda) {
        float[][] unused = new float[thetas.length][thetas[0].length];
        double[] r = objective.gradientWithJs(thetas, batch, false, lambda, unused, 1f);
        return r[0] - lambda * r[1];
    }

    private static float[][] copy(float[][] a) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    @Test
    void jsTermEqualsTheMutualInformationOfTheAveragedPrediction() {
        List<Example> batch = examples(5, 8);
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(MODEL, new RandomWeights(2), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(MODEL, LORA);
            List<float[]> pts = randomPoints(3, layout.intSize(), 11);
            float[][] grads = new float[3][layout.intSize()];
            double[] r = new ClassifierObjective(d, m, layout)
                    .gradientWithJs(pts.toArray(float[][]::new), batch, false, 0.5, grads, 1f);
            // reference in Java from each point's probabilities
            double[][][] p = new double[3][][];
            double ce = 0;
            for (int i = 0; i < 3; i++) {
                p[i] = ChoiceScorer.predict(d, m, batch, new FlatLora(layout, Tensors.of(m, pts.get(i)), false), 8);
                for (int b = 0; b < batch.size(); b++) {
                    ce -= Math.log(p[i][b][batch.get(b).label()]) / (3 * batch.size());
                }
            }
            double js = 0;
            for (int b = 0; b < batch.size(); b++) {
                int c = p[0][b].length;
                double hMean = 0;
                double meanH = 0;
                for (int k = 0; k < c; k++) {
                    double avg = (p[0][b][k] + p[1][b][k] + p[2][b][k]) / 3;
                    hMean -= avg * Math.log(avg);
                    for (int i = 0; i < 3; i++) {
                        meanH -= p[i][b][k] * Math.log(p[i][b][k]) / 3;
                    }
                }
                js += (hMean - meanH) / batch.size();
            }
            assertEquals(ce, r[0], 1e-4);
            assertEquals(js, r[1], 1e-5);
            assertTrue(js > 0);
        }
    }
}
