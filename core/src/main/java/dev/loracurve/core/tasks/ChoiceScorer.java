package dev.loracurve.core.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.TokenBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * p(y | x, θ) over an item's choices: the softmax over the choices' summed continuation
 * log-likelihoods. Each item is one packed row (prefix once, then every continuation but its
 * last token), so the prompt is computed once whatever the number or length of the choices;
 * when all continuations are single tokens the row is the prompt alone (the Bayesian-LoRA
 * convention: next-token logits restricted to the choices).
 */
public final class ChoiceScorer {
    private ChoiceScorer() {}

    /**
     * @return (B, Cmax) log p(choice | item); choices an item lacks get a very negative value
     */
    public static NDArray logProbs(Decoder decoder, NDManager step, List<Example> batch, LoraDelta lora) {
        int cmax = batch.stream().mapToInt(Example::choiceCount).max().orElseThrow();
        boolean plain = batch.stream().allMatch(Example::singleToken);
        List<long[]> rows = new ArrayList<>();
        List<long[]> positions = new ArrayList<>();
        List<int[]> branches = new ArrayList<>();
        // one entry per scored token: (row position that predicts it, its id, its class slot b·Cmax + c)
        List<long[]> scored = new ArrayList<>();
        for (Example e : batch) {
            int len = e.packedLength();
            long[] ids = new long[len];
            long[] pos = new long[len];
            int[] br = new int[len];
            int p = e.prefix().length;
            System.arraycopy(e.prefix(), 0, ids, 0, p);
            for (int i = 0; i < p; i++) {
                pos[i] = i;
            }
            int at = p;
            for (int c = 0; c < e.choiceCount(); c++) {
                long[] cont = e.continuations()[c];
                int predictor = p - 1;
                for (int j = 0; j < cont.length; j++) {
                    scored.add(new long[] {rows.size(), predictor, cont[j], (long) rows.size() * cmax + c});
                    if (j + 1 < cont.length) { // the token is also an input predicting the next one
                        ids[at] = cont[j];
                        pos[at] = p + j;
                        br[at] = c + 1;
                        predictor = at++;
                    }
                }
            }
            rows.add(ids);
            positions.add(pos);
            branches.add(br);
        }
        TokenBatch tb = plain ? TokenBatch.of(rows) : TokenBatch.packed(rows, positions, branches);
        int t = tb.maxLength();
        int n = scored.size();
        long[] where = new long[n];
        long[] target = new long[n];
        float[] sumMatrix = new float[batch.size() * cmax * n]; // (B·Cmax, N): adds token log-probs per class
        for (int i = 0; i < n; i++) {
            long[] s = scored.get(i);
            where[i] = s[0] * t + s[1];
            target[i] = s[2];
            sumMatrix[(int) s[3] * n + i] = 1;
        }
        float[] absent = new float[batch.size() * cmax];
        for (int b = 0; b < batch.size(); b++) {
            for (int c = batch.get(b).choiceCount(); c < cmax; c++) {
                absent[b * cmax + c] = -1e30f;
            }
        }
        NDArray hidden = decoder.hidden(tb.idsArray(step), tb, lora); // (B, T, H)
        NDArray picked =
                hidden.reshape(-1, decoder.config().hiddenSize()).get(Tensors.of(step, where, new Shape(n))); // (N, H)
        NDArray tokenLogp = decoder.logits(picked)
                .logSoftmax(-1)
                .gather(Tensors.of(step, target, new Shape(n, 1)), -1)
                .reshape(n); // (N)
        NDArray scores = Tensors.of(step, sumMatrix, new Shape((long) batch.size() * cmax, n))
                .toType(hidden.getDataType(), false)
                .matMul(tokenLogp)
                .reshape(batch.size(), cmax); // (B, Cmax)
        NDArray mask = Tensors.of(step, absent, new Shape(batch.size(), cmax)).toType(hidden.getDataType(), false);
        return mask.add(scores).logSoftmax(-1);
    }

    /**
     * Class probabilities of every example, in batches, without gradients: rows follow
     * {@code examples}, each row as long as its item's choices.
     */
    public static double[][] predict(
            Decoder decoder, NDManager manager, List<Example> examples, LoraDelta lora, int batchSize) {
        double[][] out = new double[examples.size()][];
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<Example> batch = examples.subList(from, Math.min(examples.size(), from + batchSize));
            try (NDManager step = manager.newSubManager()) {
                double[][] p = probabilities(decoder, step, batch, lora);
                System.arraycopy(p, 0, out, from, p.length);
            }
        }
        return out;
    }

    /** p(choice | item) of one batch, without gradients: a row per example, as long as its choices. */
    public static double[][] probabilities(Decoder decoder, NDManager step, List<Example> batch, LoraDelta lora) {
        NDArray lp = logProbs(decoder, step, batch, lora);
        int cmax = (int) lp.getShape().get(1);
        double[] flat = lp.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] out = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            out[b] = new double[batch.get(b).choiceCount()];
            for (int c = 0; c < out[b].length; c++) {
                out[b][c] = Math.exp(flat[b * cmax + c]);
            }
        }
        return out;
    }

    /** Mean cross-entropy of the labels under {@code logProbs} (B, Cmax). */
    public static NDArray crossEntropy(NDArray logProbs, List<Example> batch) {
        long[] labels = batch.stream().mapToLong(Example::label).toArray();
        NDArray picked = logProbs.gather(Tensors.of(logProbs.getManager(), labels, new Shape(labels.length, 1)), -1);
        return Tensors.scale(picked.sum(), -1.0 / labels.length);
    }
}
