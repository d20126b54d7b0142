package dev.loracurve.core.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
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
        // Items share rows, as many as fit in the longest item's length; with several adapters the
        // batch is their equal groups, and each group is packed alike so rows stay group-major.
        int groups = lora.samples();
        int perGroup = batch.size() / groups;
        List<int[]> packing = pack(batch.subList(0, perGroup));
        boolean shared = packing.size() < perGroup;
        List<long[]> rows = new ArrayList<>();
        List<long[]> positions = new ArrayList<>();
        List<int[]> branches = new ArrayList<>();
        List<int[]> segments = new ArrayList<>();
        // one entry per scored token: (row, position that predicts it, its id, its class slot b·Cmax + c)
        List<long[]> scored = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            for (int[] row : packing) {
                int len = 0;
                for (int i : row) {
                    len += batch.get(g * perGroup + i).packedLength();
                }
                long[] ids = new long[len];
                long[] pos = new long[len];
                int[] br = new int[len];
                int[] seg = new int[len];
                int at = 0;
                for (int k = 0; k < row.length; k++) {
                    int item = g * perGroup + row[k];
                    Arrays.fill(seg, at, at + batch.get(item).packedLength(), k);
                    at = lay(batch.get(item), item, cmax, rows.size(), at, ids, pos, br, scored);
                }
                rows.add(ids);
                positions.add(pos);
                branches.add(br);
                segments.add(seg);
            }
        }
        TokenBatch tb = shared
                ? TokenBatch.packed(rows, positions, branches, segments)
                : plain ? TokenBatch.of(rows) : TokenBatch.packed(rows, positions, branches);
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
     * Lays one item out in a row from {@code at}: its prefix, then each continuation but its last
     * token (branch c + 1, positions going on from the prefix); adds its scored tokens. Returns the
     * end.
     */
    private static int lay(
            Example e, int item, int cmax, int row, int at, long[] ids, long[] pos, int[] br, List<long[]> scored) {
        int p = e.prefix().length;
        System.arraycopy(e.prefix(), 0, ids, at, p);
        for (int i = 0; i < p; i++) {
            pos[at + i] = i;
        }
        int end = at + p;
        for (int c = 0; c < e.choiceCount(); c++) {
            long[] cont = e.continuations()[c];
            int predictor = at + p - 1;
            for (int j = 0; j < cont.length; j++) {
                scored.add(new long[] {row, predictor, cont[j], (long) item * cmax + c});
                if (j + 1 < cont.length) { // the token is also an input predicting the next one
                    ids[end] = cont[j];
                    pos[end] = p + j;
                    br[end] = c + 1;
                    predictor = end++;
                }
            }
        }
        return end;
    }

    /**
     * Items into rows no longer than the longest item: first fit, longest first. Each row lists its
     * items by index; rows keep no order the caller relies on (scores go back by item).
     */
    static List<int[]> pack(List<Example> items) {
        int capacity = items.stream().mapToInt(Example::packedLength).max().orElse(0);
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (x, y) -> Integer.compare(
                        items.get(y).packedLength(), items.get(x).packedLength()));
        List<List<Integer>> rows = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int i : order) {
            int len = items.get(i).packedLength();
            int r = 0;
            while (r < rows.size() && free.get(r) < len) {
                r++;
            }
            if (r == rows.size()) {
                rows.add(new ArrayList<>());
                free.add(capacity);
            }
            rows.get(r).add(i);
            free.set(r, free.get(r) - len);
        }
        return rows.stream()
                .map(row -> row.stream().mapToInt(Integer::intValue).toArray())
                .toList();
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
        NDArray lp = Engines.noGrad(() -> logProbs(decoder, step, batch, lora));
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
