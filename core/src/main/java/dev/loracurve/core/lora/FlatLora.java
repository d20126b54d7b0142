package dev.loracurve.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.model.Projection;

/**
 * LoRA whose every matrix is a view of one flat vector θ (see {@link LoraLayout}). Because the
 * views are taken inside the forward pass, autograd returns ∂L/∂θ as one flat vector: exactly what
 * curve fitting scatters to control points.
 */
public final class FlatLora implements LoraDelta {
    private final LoraLayout layout;
    private final NDArray theta; // (P)
    private final double scale;
    private final boolean dropoutActive;

    /**
     * @param theta         (P) in the layout's order; may require gradient
     * @param dropoutActive apply LoRA dropout (training, MC dropout); off for plain evaluation
     */
    public FlatLora(LoraLayout layout, NDArray theta, boolean dropoutActive) {
        if (theta.getShape().dimension() != 1 || theta.size() != layout.size()) {
            throw new IllegalArgumentException("θ has shape " + theta.getShape() + ", layout needs (" + layout.size() + ")");
        }
        this.layout = layout;
        this.theta = theta;
        this.scale = layout.lora().scale();
        this.dropoutActive = dropoutActive && layout.lora().dropout() > 0;
    }

    public NDArray theta() {
        return theta;
    }

    @Override
    public NDArray apply(int layer, Projection p, NDArray x) {
        LoraLayout.Slot s = layout.slot(layer, p);
        if (s == null) {
            return null;
        }
        int r = layout.lora().r();
        NDArray a = view(s.offsetA(), r, s.in(), x); // (r, in)
        NDArray b = view(s.offsetB(), s.out(), r, x); // (out, r)
        NDArray in = dropoutActive
                ? x.getNDArrayInternal().dropout(x, (float) layout.lora().dropout(), true).singletonOrThrow()
                : x;
        NDArray down = in.getNDArrayInternal().linear(in, a, null).singletonOrThrow(); // (B, T, r)
        NDArray up = down.getNDArrayInternal().linear(down, b, null).singletonOrThrow(); // (B, T, out)
        return Tensors.scale(up, scale);
    }

    /** A rows × cols view of θ owned by the caller's step manager (θ may outlive the step). */
    private NDArray view(long offset, int rows, int cols, NDArray owner) {
        NDArray flat = theta.get(new NDIndex("{}:{}", offset, offset + (long) rows * cols));
        flat.attach(owner.getManager());
        return flat.reshape(rows, cols);
    }
}
