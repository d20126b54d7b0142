package dev.loracurve.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Tensors;

/** Next-token cross-entropy of a causal LM over the real positions of a right-padded batch. */
public final class LanguageModelLoss {
    private LanguageModelLoss() {}

    /**
     * @param logits (B, T, V)
     * @return scalar mean of -log p(x_{t+1} | x_{≤t}) over t < length - 1
     */
    public static NDArray meanNextTokenNll(NDArray logits, TokenBatch batch) {
        NDManager m = logits.getManager();
        int bsz = batch.batchSize();
        int t = batch.maxLength();
        long[] targets = new long[bsz * t];
        float[] weight = new float[bsz * t];
        long count = 0;
        for (int b = 0; b < bsz; b++) {
            for (int pos = 0; pos + 1 < batch.lengths()[b]; pos++) {
                targets[b * t + pos] = batch.ids()[b][pos + 1];
                weight[b * t + pos] = 1;
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("no position has a next token: every sequence has length 1");
        }
        NDArray logp = logits.logSoftmax(-1); // (B, T, V)
        NDArray picked =
                logp.gather(Tensors.of(m, targets, new Shape(bsz, t, 1)), -1).reshape(bsz, t); // (B, T)
        NDArray w = Tensors.of(m, weight, new Shape(bsz, t)).toType(logits.getDataType(), false);
        return Tensors.scale(picked.mul(w).sum(), -1.0 / count);
    }
}
