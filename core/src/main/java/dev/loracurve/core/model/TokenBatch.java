package dev.loracurve.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Tensors;
import java.util.Arrays;
import java.util.List;

/**
 * Sequences padded on the right to a common length T. With right padding a causal model's real
 * positions never see a pad, and every position keeps its index (RoPE needs no offset).
 *
 * <p>A row may also be a <em>packed tree</em>: a shared prefix followed by several branches (the
 * answer continuations of one question). Then {@code positions} gives each token's RoPE position
 * (a branch restarts where the prefix ends) and {@code branches} its branch (0 = shared prefix);
 * a token attends to earlier tokens of the prefix and of its own branch only. The prefix is
 * computed once for all branches.
 *
 * <p>A row may hold several such items one after another ({@code segments}: the item of each
 * token within its row): a token attends only to its own item, whose positions start at 0 again.
 * Short items then share rows instead of each padding a row to the batch's longest.
 *
 * @param ids       (B, T) token ids, pads are 0
 * @param lengths   real length of each row
 * @param positions (B, T) RoPE positions, or null for 0..T-1
 * @param branches  (B, T) branch of each token, or null when no row is packed
 * @param segments  (B, T) item of each token within its row, or null when each row holds one
 */
public record TokenBatch(long[][] ids, int[] lengths, long[][] positions, int[][] branches, int[][] segments) {

    /** Plain sequences. */
    public static TokenBatch of(List<long[]> sequences) {
        return build(sequences, null, null, null);
    }

    /** Packed rows: ids, positions and branch of every token, one row per sequence. */
    public static TokenBatch packed(List<long[]> ids, List<long[]> positions, List<int[]> branches) {
        return build(ids, positions, branches, null);
    }

    /** Packed rows holding several items each: also the item (segment) of every token. */
    public static TokenBatch packed(
            List<long[]> ids, List<long[]> positions, List<int[]> branches, List<int[]> segments) {
        return build(ids, positions, branches, segments);
    }

    private static TokenBatch build(List<long[]> sequences, List<long[]> pos, List<int[]> br, List<int[]> seg) {
        int t = 0;
        for (long[] s : sequences) {
            if (s.length == 0) {
                throw new IllegalArgumentException("empty sequence in batch");
            }
            t = Math.max(t, s.length);
        }
        int b = sequences.size();
        long[][] ids = new long[b][t];
        int[] lengths = new int[b];
        long[][] positions = pos == null ? null : new long[b][t];
        int[][] branches = br == null ? null : new int[b][t];
        int[][] segments = seg == null ? null : new int[b][t];
        for (int i = 0; i < b; i++) {
            long[] s = sequences.get(i);
            System.arraycopy(s, 0, ids[i], 0, s.length);
            lengths[i] = s.length;
            if (pos != null) {
                System.arraycopy(pos.get(i), 0, positions[i], 0, s.length);
                System.arraycopy(br.get(i), 0, branches[i], 0, s.length);
            }
            if (seg != null) {
                System.arraycopy(seg.get(i), 0, segments[i], 0, s.length);
            }
        }
        return new TokenBatch(ids, lengths, positions, branches, segments);
    }

    /** Whether rows are packed trees (positions and branches given), rather than plain sequences. */
    public boolean packed() {
        return branches != null;
    }

    /** Equal when every array is equal by content (a record would compare them by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof TokenBatch t
                && Arrays.deepEquals(ids, t.ids)
                && Arrays.equals(lengths, t.lengths)
                && Arrays.deepEquals(positions, t.positions)
                && Arrays.deepEquals(branches, t.branches)
                && Arrays.deepEquals(segments, t.segments);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {ids, lengths, positions, branches, segments});
    }

    @Override
    public String toString() {
        return "TokenBatch[" + batchSize() + " x " + maxLength() + (packed() ? ", packed" : "")
                + (segments != null ? ", segmented" : "") + ", lengths " + Arrays.toString(lengths) + "]";
    }

    public int batchSize() {
        return ids.length;
    }

    public int maxLength() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /** Largest RoPE position used, + 1. */
    int positionSpan() {
        if (positions == null) {
            return maxLength();
        }
        long max = 0;
        for (int b = 0; b < ids.length; b++) {
            for (int j = 0; j < lengths[b]; j++) {
                max = Math.max(max, positions[b][j]);
            }
        }
        return (int) max + 1;
    }

    /** (B, T) int64 ids on {@code manager}. */
    public NDArray idsArray(NDManager manager) {
        return Tensors.of(manager, flatten(ids), new Shape(batchSize(), maxLength()));
    }

    /** (B·T) int64 RoPE positions. */
    NDArray positionsArray(NDManager manager) {
        return Tensors.of(manager, flatten(positions), new Shape((long) batchSize() * maxLength()));
    }

    private long[] flatten(long[][] rows) {
        long[] flat = new long[batchSize() * maxLength()];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, flat, b * maxLength(), maxLength());
        }
        return flat;
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
        return Tensors.of(manager, m, new Shape(batchSize(), 1, 1, 1, maxLength()))
                .toType(dtype, false);
    }

    /** (B, 1, 1, T, T) additive mask of packed rows: causal, no pads, own item, its prefix + own branch only. */
    NDArray treeMask(NDManager manager, DataType dtype) {
        int t = maxLength();
        float[] m = new float[batchSize() * t * t];
        for (int b = 0; b < ids.length; b++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    boolean allowed = j <= i
                            && j < lengths[b]
                            && (segments == null || segments[b][j] == segments[b][i])
                            && (branches[b][j] == 0 || branches[b][j] == branches[b][i]);
                    if (!allowed && !(i >= lengths[b] && j == 0)) { // pad rows keep key 0: no empty softmax
                        m[(b * t + i) * t + j] = Decoder.MASKED;
                    }
                }
            }
        }
        return Tensors.of(manager, m, new Shape(batchSize(), 1, 1, t, t)).toType(dtype, false);
    }
}
