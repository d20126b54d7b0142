package dev.loracurve.core.model;

import dev.loracurve.core.lora.LoraConfig;

/**
 * Floating-point operations of one pass, counted from the shapes (a multiply-add = 2 FLOPs;
 * norms, softmax and element-wise ops are ignored, as is usual). Attention is counted over the
 * full T × T square that the implementation computes, not only the causal half.
 */
public final class ModelFlops {
    private ModelFlops() {}

    /** Forward FLOPs of a batch of sequences of length t, LoRA included when lora != null. */
    public static double forward(ModelConfig c, int batch, int t, LoraConfig lora) {
        return batch * (t * (linearPerToken(c) + loraPerToken(c, lora)) + attentionPerSequence(c, t));
    }

    /**
     * Forward + backward FLOPs when only LoRA is trained: every base linear needs its input
     * gradient (as many FLOPs as its forward) but no weight gradient; attention's backward is two
     * matmuls per forward matmul; LoRA needs input and weight gradients.
     */
    public static double forwardBackwardLora(ModelConfig c, int batch, int t, LoraConfig lora) {
        return batch * (t * (2 * linearPerToken(c) + 3 * loraPerToken(c, lora)) + 3 * attentionPerSequence(c, t));
    }

    private static double linearPerToken(ModelConfig c) {
        double perLayer = 0;
        for (Projection p : Projection.values()) {
            perLayer += 2.0 * c.inFeatures(p) * c.outFeatures(p);
        }
        return c.numLayers() * perLayer + 2.0 * c.vocabSize() * c.hiddenSize(); // + output head
    }

    private static double loraPerToken(ModelConfig c, LoraConfig lora) {
        if (lora == null) {
            return 0;
        }
        double perLayer = 0;
        for (Projection p : lora.targets()) {
            perLayer += 2.0 * lora.r() * (c.inFeatures(p) + c.outFeatures(p));
        }
        return c.numLayers() * perLayer;
    }

    private static double attentionPerSequence(ModelConfig c, int t) {
        return c.numLayers() * 4.0 * c.numHeads() * c.headDim() * (double) t * t; // QKᵀ and PV
    }
}
