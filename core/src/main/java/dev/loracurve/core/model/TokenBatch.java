package dev.loracurve.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Tensors;
import java.util.List;

/**
 * Sequences padded on the right to a common length T. With right padding a causal model's real
 * positions never see a pad, and every position keeps its index (RoPE needs no offset).
 *
 * @param ids     (B, T) token ids, pads are 0
 * @param lengths real length of each row
 */
public record TokenBatch(long[][] ids, int[] lengths) {

    public static TokenBatch of(List<long[]> sequences) {
        int t = 0;
        for (long[] s : sequences) {
            if (s.length == 0) {
                throw new IllegalArgumentException("empty sequence in batch");
            }
            t = Math.max(t, s.length);
        }
        long[][] ids = new long[sequences.size()][t];
        int[] lengths = new int[sequences.size()];
        for (int b = 0; b < ids.length; b++) {
            long[] s = sequences.get(b);
            System.arraycopy(s, 0, ids[b], 0, s.length);
            lengths[b] = s.length;
        }
        return new TokenBatch(ids, lengths);
    }

    public int batchSize() {
        return ids.length;
    }

    public int maxLength() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    public long tokenCount() {
        long n = 0;
        for (int l : lengths) {
            n += l;
        }
        return n;
    }

    /** (B, T) int64 ids on {@code manager}. */
    public NDArray idsArray(NDManager manager) {
        long[] flat = new long[batchSize() * maxLength()];
        for (int b = 0; b < ids.length; b++) {
            System.arraycopy(ids[b], 0, flat, b * maxLength(), maxLength());
        }
        return Tensors.of(manager, flat, new Shape(batchSize(), maxLength()));
    }

    /** (B) int64 index of each row's last real position in the flattened (B·T) positions. */
    public NDArray lastPositions(NDManager manager) {
        long[] idx = new long[batchSize()];
        for (int b = 0; b < idx.length; b++) {
            idx[b] = (long) b * maxLength() + lengths[b] - 1;
        }
        return Tensors.of(manager, idx, new Shape(idx.length));
    }

    /** (B, 1, 1, 1, T) additive key mask: 0 for real keys, a large negative for pads. */
    NDArray keyPadMask(NDManager manager, DataType dtype) {
        float[] m = new float[batchSize() * maxLength()];
        for (int b = 0; b < ids.length; b++) {
            for (int j = lengths[b]; j < maxLength(); j++) {
                m[b * maxLength() + j] = Decoder.MASKED;
            }
        }
        return Tensors.of(manager, m, new Shape(batchSize(), 1, 1, 1, maxLength())).toType(dtype, false);
    }
}
