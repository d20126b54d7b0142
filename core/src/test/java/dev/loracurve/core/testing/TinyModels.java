package dev.loracurve.core.testing;

import dev.loracurve.core.model.ModelConfig;

/** Small configs that exercise every branch of the decoder: GQA, biases, tied and untied heads. */
public final class TinyModels {
    private TinyModels() {}

    /** Qwen2-style: q/k/v biases, GQA 4:2, tied embeddings, large rope_theta. */
    public static ModelConfig qwen2() {
        return ModelConfig.builder("qwen2")
                .hiddenSize(16)
                .intermediateSize(32)
                .layers(2)
                .heads(4)
                .kvHeads(2)
                .headDim(4)
                .vocabSize(37)
                .ropeTheta(1e6)
                .rmsNormEps(1e-6)
                .tieWordEmbeddings(true)
                .build();
    }

    /** Llama-style: untied head, attention and MLP biases, GQA 4:1, head_dim unlike hidden/heads. */
    public static ModelConfig llama() {
        return ModelConfig.builder("llama")
                .hiddenSize(24)
                .intermediateSize(40)
                .layers(2)
                .heads(4)
                .kvHeads(1)
                .headDim(8)
                .vocabSize(41)
                .ropeTheta(1e4)
                .rmsNormEps(1e-5)
                .biases(new ModelConfig.Biases(true, true, true))
                .build();
    }
}
