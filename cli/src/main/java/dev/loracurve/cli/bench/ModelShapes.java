package dev.loracurve.cli.bench;

import dev.loracurve.core.model.ModelConfig;
import java.util.Map;

/** The model shapes the benchmarks and the peers' runs use, by name: one place for each. */
public final class ModelShapes {
    private ModelShapes() {}

    /** The benchmark's 30M Llama: hidden 512, 8 layers, 8 heads, SwiGLU 1376, vocab 8192, tied. */
    public static final ModelConfig LLAMA_30M = ModelConfig.builder("llama")
            .hiddenSize(512)
            .intermediateSize(1376)
            .layers(8)
            .heads(8)
            .vocabSize(8192)
            .ropeTheta(1e4)
            .rmsNormEps(1e-5)
            .tieWordEmbeddings(true)
            .build();

    /** Qwen2.5-0.5B's shape: tied embeddings, grouped-query attention, qkv biases. */
    public static final ModelConfig QWEN25_05B = ModelConfig.builder("qwen2")
            .hiddenSize(896)
            .intermediateSize(4864)
            .layers(24)
            .heads(14)
            .kvHeads(2)
            .vocabSize(151_936)
            .ropeTheta(1e6)
            .rmsNormEps(1e-6)
            .tieWordEmbeddings(true)
            .build();

    public static final Map<String, ModelConfig> BY_NAME = Map.of("llama-30m", LLAMA_30M, "qwen2.5-0.5b", QWEN25_05B);
}
