package dev.loracurve.core.testing;

import dev.loracurve.core.model.ModelConfig;

/** Small configs that exercise every branch of the decoder: GQA, biases, tied and untied heads. */
public final class TinyModels {
    private TinyModels() {}

    /** Qwen2-style: q/k/v biases, GQA 4:2, tied embeddings, large rope_theta. */
    public static ModelConfig qwen2() {
        return new ModelConfig("qwen2", 16, 32, 2, 4, 2, 4, 37, 1e6, 1e-6, true, true, false, false, null);
    }

    /** Llama-style: untied head, attention and MLP biases, GQA 4:1, head_dim unlike hidden/heads. */
    public static ModelConfig llama() {
        return new ModelConfig("llama", 24, 40, 2, 4, 1, 8, 41, 1e4, 1e-5, false, true, true, true, null);
    }
}
