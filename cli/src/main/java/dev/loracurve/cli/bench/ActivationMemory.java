package dev.loracurve.cli.bench;

import dev.loracurve.core.model.ModelConfig;

/** What a LoRA step must hold for its backward: the figure the peers' memory is compared with. */
final class ActivationMemory {
    private ActivationMemory() {}

    /**
     * What autograd keeps for the backward of one LoRA step of the decoder (F32, B·T = N tokens),
     * counted from the ops of Decoder: per layer the two RMSNorms (input and output, 4·H),
     * q and k before and after RoPE (3·(H + Hkv)), v (Hkv), attention's output (H), the MLP's gate,
     * sigmoid, their product, up and the activation (5·I), and scores and probabilities (2·nh·T
     * per token); then the vocabulary logits, their log-softmax and its gradient (3·V). LoRA's
     * rank-r intermediates are left out (r ≪ H).
     */
    static long loraStepBytes(ModelConfig c, int batch, int seq) {
        long n = (long) batch * seq;
        long hkv = (long) c.numKvHeads() * c.headDim();
        long perToken = 8L * c.hiddenSize() + 4 * hkv + 5L * c.intermediateSize() + 2L * c.numHeads() * seq;
        return 4 * n * (perToken * c.numLayers() + 3L * c.vocabSize());
    }
}
