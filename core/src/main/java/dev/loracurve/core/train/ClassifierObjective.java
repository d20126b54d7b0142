package dev.loracurve.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
        return gradientWithJs(new float[][] {theta}, batch, dropout, 0, new float[][] {grad}, scale)[0];
    }

    /**
     * The curve objective at M points θ_1..θ_M on one batch: mean_m CE(p_m) - λ · JS, with
     * JS = H(mean_m p_m) - mean_m H(p_m) (equal weights; the mutual information of the M-point
     * average). Adds ∂/∂θ_m · scale to grads[m].
     *
     * @return {mean CE, JS} (JS is 0 when M = 1)
     */
    public double[] gradientWithJs(
            float[][] thetas, List<Example> batch, boolean dropout, double lambda, float[][] grads, float scale) {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            int m = thetas.length;
            NDArray[] leaves = new NDArray[m];
            NDArray ce = null;
            NDArray probSum = null;
            NDArray negEntropySum = null;
            for (int i = 0; i < m; i++) {
                leaves[i] = Tensors.of(step, thetas[i]);
                leaves[i].setRequiresGradient(true);
                NDArray logp =
                        ChoiceScorer.logProbs(decoder, step, batch, new FlatLora(layout, leaves[i], dropout)); // (B, C)
                NDArray ceI = ChoiceScorer.crossEntropy(logp, batch);
                ce = ce == null ? ceI : ce.add(ceI);
                if (m > 1) {
                    NDArray p = logp.exp();
                    probSum = probSum == null ? p : probSum.add(p);
                    NDArray negH = p.mul(logp).sum(new int[] {1}); // (B): Σ_c p log p; absent choices give 0
                    negEntropySum = negEntropySum == null ? negH : negEntropySum.add(negH);
                }
            }
            NDArray meanCe = Tensors.scale(ce, 1.0 / m);
            NDArray objective = meanCe;
            NDArray js = null;
            if (m > 1) {
                NDArray pBar = Tensors.scale(probSum, 1.0 / m);
                NDArray entropyOfMean =
                        pBar.mul(pBar.add(1e-30).log()).sum(new int[] {1}).neg(); // (B)
                NDArray meanEntropy = Tensors.scale(negEntropySum, -1.0 / m); // (B)
                js = entropyOfMean.sub(meanEntropy).mean();
                objective = meanCe.sub(Tensors.scale(js, lambda));
            }
            gc.backward(objective);
            for (int i = 0; i < m; i++) {
                float[] g = leaves[i].getGradient().toFloatArray();
                float[] out = grads[i];
                for (int k = 0; k < g.length; k++) {
                    out[k] += scale * g[k];
                }
            }
            return new double[] {meanCe.getFloat(), js == null ? 0 : js.getFloat()};
        }
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
            float[] copies = new float[classes * theta.length];
            for (int c = 0; c < classes; c++) {
                System.arraycopy(theta, 0, copies, c * theta.length, theta.length);
            }
            NDArray leaf = Tensors.of(step, copies, new Shape(classes, theta.length));
            leaf.setRequiresGradient(true);
            NDArray logp = ChoiceScorer.logProbs(
                    decoder, step, Collections.nCopies(classes, x), new BatchedLora(layout, leaf, false)); // (C, C)
            NDArray own = logp.mul(Tensors.of(step, identity(classes), new Shape(classes, classes)))
                    .sum(new int[] {1}); // row c: log p_c under copy c
            gc.backward(own.sum());
            float[] g = leaf.getGradient().toFloatArray();
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
