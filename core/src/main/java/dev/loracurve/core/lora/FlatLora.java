package dev.loracurve.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.model.Projection;

/**
 * LoRA whose every matrix is a view of one flat vector θ (see {@link LoraLayout}). Because the
 * views are slices of θ, autograd returns ∂L/∂θ as one flat vector: exactly what curve fitting
 * scatters to control points.
 *
 * <p>The views are taken once, here, and belong to θ's manager: build one FlatLora per θ (per
 * training step, inside the gradient collector when θ requires gradient), not one per batch.
 */
public final class FlatLora implements LoraDelta {
    private final LoraLayout layout;
    private final NDArray theta; // (P)
    private final double scale;
    private final boolean dropoutActive;
    private final NDArray[][] a; // [layer][projection]: (r, in)
    private final NDArray[][] b; // [layer][projection]: scale · B, (out, r)

    /**
     * @param theta         (P) in the layout's order; may require gradient
     * @param dropoutActive apply LoRA dropout (training, MC dropout); off for plain evaluation
     */
    public FlatLora(LoraLayout layout, NDArray theta, boolean dropoutActive) {
        if (theta.getShape().dimension() != 1 || theta.size() != layout.size()) {
            throw new IllegalArgumentException(
                    "θ has shape " + theta.getShape() + ", layout needs (" + layout.size() + ")");
        }
        this.layout = layout;
        this.theta = theta;
        this.scale = layout.lora().scale();
        this.dropoutActive = dropoutActive && layout.lora().dropout() > 0;
        int layers = layout.model().numLayers();
        int r = layout.lora().r();
        a = new NDArray[layers][Projection.values().length];
        b = new NDArray[layers][Projection.values().length];
        NDList parts = theta.split(layout.splitPoints(), 0); // A, B of each slot in order
        NDArray scaleArray = Tensors.scalar(theta.getManager(), scale, theta.getDataType());
        for (int i = 0; i < layout.slots().size(); i++) {
            LoraLayout.Slot s = layout.slots().get(i);
            a[s.layer()][s.projection().ordinal()] = parts.get(2 * i).reshape(r, s.in());
            // the LoRA scale folded into B once, not applied to every (B, T, out) output
            b[s.layer()][s.projection().ordinal()] =
                    parts.get(2 * i + 1).reshape(s.out(), r).mul(scaleArray);
        }
    }

    public NDArray theta() {
        return theta;
    }

    @Override
    public NDArray apply(int layer, Projection p, NDArray x) {
        NDArray down = a[layer][p.ordinal()];
        if (down == null) {
            return null;
        }
        NDArray in = dropoutActive
                ? x.getNDArrayInternal()
                        .dropout(x, (float) layout.lora().dropout(), true)
                        .singletonOrThrow()
                : x;
        NDArray h = in.getNDArrayInternal().linear(in, down, null).singletonOrThrow(); // (B, T, r)
        return h.getNDArrayInternal()
                .linear(h, b[layer][p.ordinal()], null)
                .singletonOrThrow(); // scale·B(A x): (B, T, out)
    }
}
