package dev.loracurve.core.lora;

import ai.djl.ndarray.NDArray;
import dev.loracurve.core.model.Projection;

/**
 * What LoRA adds to a projection's output. The decoder asks for it at every projection and adds
 * the result when it is not null, so the model code never knows how LoRA weights are stored (one
 * flat θ, several adapters batched together, …).
 */
@FunctionalInterface
public interface LoraDelta {
    /** No LoRA anywhere: the base model. */
    LoraDelta NONE = (layer, p, x) -> null;

    /**
     * @param x the projection's input, (B, T, in)
     * @return scale · B(A(dropout(x))), (B, T, out), or null when this projection has no LoRA
     */
    NDArray apply(int layer, Projection p, NDArray x);

    /**
     * How many adapters share the batch: its rows are that many equal groups, group m running
     * with adapter m (1 for one adapter).
     */
    default int samples() {
        return 1;
    }
}
