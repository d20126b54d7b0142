package dev.loracurve.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.BatchedLora;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The training objective of a classification task and its gradient with respect to θ, through
 * autograd: the cross-entropy of p(y | x, θ), and the curve objective with the Jensen–Shannon term
 * over several θ at once. Each θ is a fresh leaf per call, so gradients never pile up.
 */
public final class ClassifierObjective {
    private final Decoder decoder;
    private final NDManager manager;
    private final LoraLayout layout;

    public ClassifierObjective(Decoder decoder, NDManager manager, LoraLayout layout) {
        this.decoder = decoder;
        this.manager = manager;
        this.layout = layout;
    }

    public LoraLayout layout() {
        return layout;
    }

    /** Adds ∂CE/∂θ · scale to {@code grad}; returns the cross-entropy. */
    public double gradient(float[] theta, List<Example> batch, boolean dropout, float[] grad, float scale) {
        return gradientOfOne(theta, batch, dropout, grad, scale);
    }

    /**
     * The curve objective at M points θ_1..θ_M on one batch: mean_m CE(p_m) - λ · JS, with
     * JS = H(mean_m p_m) - mean_m H(p_m) (equal weights; the mutual information of the M-point
     * average). Adds ∂/∂θ_m · scale to grads[m]. The M points run in one batched forward
     * ({@link BatchedLora}: M copies of the batch, one per point), so the JS step costs one pass
     * over M times the rows rather than M passes.
     *
     * @return {mean CE, JS} (JS is 0 when M = 1)
     */
    public double[] gradientWithJs(
            float[][] thetas, List<Example> batch, boolean dropout, double lambda, float[][] grads, float scale) {
        int m = thetas.length;
        if (m == 1) {
            return new double[] {gradientOfOne(thetas[0], batch, dropout, grads[0], scale), 0};
        }
        int p = layout.intSize();
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray leaf = leaf(step, BatchedLora.stack(Arrays.asList(thetas)), new Shape(m, p));
            List<Example> repeated = BatchedLora.perSample(batch, m); // rows i·B + b run with θ_i
            NDArray logp = ChoiceScorer.logProbs(decoder, step, repeated, new BatchedLora(layout, leaf, dropout))
                    .reshape(m, batch.size(), -1); // (M, B, C)
            NDArray meanCe = ChoiceScorer.crossEntropy(logp.reshape(m * batch.size(), -1), repeated);
            NDArray probs = logp.exp();
            NDArray pBar = probs.mean(new int[] {0}); // (B, C)
            NDArray entropyOfMean =
                    pBar.mul(pBar.add(1e-30).log()).sum(new int[] {1}).neg(); // (B)
            NDArray meanEntropy =
                    probs.mul(logp).sum(new int[] {2}).mean(new int[] {0}).neg(); // (B); absent choices give 0
            NDArray js = entropyOfMean.sub(meanEntropy).mean();
            gc.backward(meanCe.sub(Tensors.scale(js, lambda)));
            float[] g = gradientOf(leaf);
            for (int i = 0; i < m; i++) {
                float[] out = grads[i];
                for (int k = 0; k < p; k++) {
                    out[k] += scale * g[i * p + k];
                }
            }
            return new double[] {asDouble(meanCe), asDouble(js)};
        }
    }

    /** Adds ∂CE/∂θ · scale of one point to {@code grad}; returns the cross-entropy. */
    private double gradientOfOne(float[] theta, List<Example> batch, boolean dropout, float[] grad, float scale) {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray leaf = leaf(step, theta, new Shape(theta.length));
            NDArray logp = ChoiceScorer.logProbs(decoder, step, batch, new FlatLora(layout, leaf, dropout));
            NDArray ce = ChoiceScorer.crossEntropy(logp, batch);
            gc.backward(ce);
            float[] g = gradientOf(leaf);
            for (int k = 0; k < g.length; k++) {
                grad[k] += scale * g[k];
            }
            return asDouble(ce);
        }
    }

    private static double asDouble(NDArray scalar) {
        return scalar.toType(DataType.FLOAT64, false).getDouble();
    }

    /**
     * θ as a leaf requiring gradient, in the decoder's precision: a float64 model (the
     * finite-difference references) differentiates in float64 (a cast inside the graph would detach).
     */
    private NDArray leaf(NDManager step, float[] values, Shape shape) {
        NDArray leaf;
        if (decoder.dtype() == DataType.FLOAT64) {
            double[] wide = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                wide[i] = values[i];
            }
            leaf = Tensors.of(step, wide, shape);
        } else {
            leaf = Tensors.of(step, values, shape);
        }
        leaf.setRequiresGradient(true);
        return leaf;
    }

    private static float[] gradientOf(NDArray leaf) {
        return leaf.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
    }

    /**
     * log p_c(x | θ) of each class c of one item and its gradient ∂ log p_c / ∂θ into
     * {@code jacobian[c]}, in one backward pass: C copies of θ, one per class, each scoring a copy
     * of the item in one batch ({@link BatchedLora}), so that copy c's gradient is class c's alone.
     */
    public double[] classJacobian(float[] theta, Example x, float[][] jacobian) {
        int classes = x.choiceCount();
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray leaf = leaf(
                    step, BatchedLora.stack(Collections.nCopies(classes, theta)), new Shape(classes, theta.length));
            NDArray logp = ChoiceScorer.logProbs( // (C, C)
                    decoder, step, BatchedLora.perSample(List.of(x), classes), new BatchedLora(layout, leaf, false));
            NDArray own = logp.mul(Tensors.of(step, identity(classes), new Shape(classes, classes)))
                    .sum(new int[] {1}); // row c: log p_c under copy c
            gc.backward(own.sum());
            float[] g = gradientOf(leaf);
            for (int c = 0; c < classes; c++) {
                System.arraycopy(g, c * theta.length, jacobian[c], 0, theta.length);
            }
            float[] values = own.toFloatArray();
            double[] out = new double[classes];
            for (int c = 0; c < classes; c++) {
                out[c] = values[c];
            }
            return out;
        }
    }

    private static float[] identity(int n) {
        float[] out = new float[n * n];
        for (int i = 0; i < n; i++) {
            out[i * n + i] = 1;
        }
        return out;
    }
}
