package dev.loracurve.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.model.Projection;
import java.util.ArrayList;
import java.util.List;

/**
 * M adapters at once: the batch holds M copies of B rows, sample-major (row m·B + b runs with
 * θ_m), and each projection's LoRA is two batched matmuls over the M adapters instead of M
 * separate forward passes. Views of the (M, P) parameter matrix are taken once, as in {@link FlatLora}.
 */
public final class BatchedLora implements LoraDelta {
    private final LoraLayout layout;
    private final int samples;
    private final double scale;
    private final boolean dropoutActive;
    private final NDArray[][] aT; // [layer][projection]: (M, in, r)
    private final NDArray[][] bT; // [layer][projection]: scale · Bᵀ, (M, r, out)

    /**
     * @param thetas (M, P): one θ per row
     */
    public BatchedLora(LoraLayout layout, NDArray thetas, boolean dropoutActive) {
        if (thetas.getShape().dimension() != 2 || thetas.getShape().get(1) != layout.size()) {
            throw new IllegalArgumentException(
                    "θ matrix has shape " + thetas.getShape() + ", layout needs (M, " + layout.size() + ")");
        }
        this.layout = layout;
        this.samples = (int) thetas.getShape().get(0);
        this.scale = layout.lora().scale();
        this.dropoutActive = dropoutActive && layout.lora().dropout() > 0;
        int layers = layout.model().numLayers();
        int r = layout.lora().r();
        aT = new NDArray[layers][Projection.values().length];
        bT = new NDArray[layers][Projection.values().length];
        NDList parts = thetas.split(layout.splitPoints(), 1); // columns of A, B of each slot (see FlatLora)
        NDArray scaleArray = Tensors.scalar(thetas.getManager(), scale, thetas.getDataType());
        for (int i = 0; i < layout.slots().size(); i++) {
            LoraLayout.Slot s = layout.slots().get(i);
            aT[s.layer()][s.projection().ordinal()] =
                    parts.get(2 * i).reshape(samples, r, s.in()).transpose(0, 2, 1);
            bT[s.layer()][s.projection().ordinal()] = parts.get(2 * i + 1)
                    .reshape(samples, s.out(), r)
                    .transpose(0, 2, 1)
                    .mul(scaleArray); // scale folded into B once
        }
    }

    /** The (M, P) matrix's data: θ_1 … θ_M one after another. */
    public static float[] stack(List<float[]> thetas) {
        int p = thetas.get(0).length;
        float[] flat = new float[thetas.size() * p];
        for (int i = 0; i < thetas.size(); i++) {
            System.arraycopy(thetas.get(i), 0, flat, i * p, p);
        }
        return flat;
    }

    /** The batch's rows for M adapters: M copies of {@code batch}, sample-major (row m·B + b runs with θ_m). */
    public static <T> List<T> perSample(List<T> batch, int m) {
        List<T> rows = new ArrayList<>(m * batch.size());
        for (int i = 0; i < m; i++) {
            rows.addAll(batch);
        }
        return rows;
    }

    @Override
    public int samples() {
        return samples;
    }

    @Override
    public NDArray apply(int layer, Projection p, NDArray x) {
        NDArray a = aT[layer][p.ordinal()];
        if (a == null) {
            return null;
        }
        long rows = x.getShape().get(0);
        long t = x.getShape().get(1);
        long in = x.getShape().get(2);
        NDArray drop = dropoutActive
                ? x.getNDArrayInternal()
                        .dropout(x, (float) layout.lora().dropout(), true)
                        .singletonOrThrow()
                : x;
        NDArray h = drop.reshape(samples, rows / samples * t, in).matMul(a); // (M, B·T, r)
        return h.matMul(bT[layer][p.ordinal()]).reshape(rows, t, -1); // (M, B·T, out) → (M·B, T, out)
    }
}
