package dev.loracurve.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.DType;
import dev.loracurve.core.store.TensorInfo;
import dev.loracurve.core.store.WeightFiles;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Llama / Qwen2 decoder: token embedding, L blocks of (RMSNorm, grouped-query attention with
 * RoPE, RMSNorm, SwiGLU MLP), final RMSNorm, output head (tied to the embedding or not).
 * Base weights are frozen constants; LoRA enters through {@link LoraDelta} at each projection.
 *
 * <p>Shapes: B batch, T positions, H hidden, nh heads, nkv key/value heads, g = nh / nkv,
 * hd head dim, I intermediate, V vocabulary.
 *
 * <p>Every intermediate array belongs to the manager of the batch's ids (the caller's per-step
 * manager): the model's own manager holds only weights and RoPE tables.
 */
public final class Decoder implements AutoCloseable {
    /** Additive mask value: exp(MASKED - max) underflows to 0 in F32 and F64 alike. */
    static final float MASKED = -1e30f;

    private final ModelConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final NDArray embed; // (V, H)
    private final NDArray head; // (V, H), the embedding itself when tied
    private final NDArray finalNorm; // (H)
    private final Block[] blocks;
    private final Map<String, NDArray> weights;
    private final Map<Integer, NDArray[]> ropeCache = new ConcurrentHashMap<>();
    private final NDArray attentionScale; // 1/√hd as a 0-d array, made once rather than per layer and call

    /** One decoder layer's weights; proj/bias indexed by Projection ordinal, bias null when absent. */
    private record Block(NDArray inputNorm, NDArray postNorm, NDArray[] proj, NDArray[] bias) {}

    private Decoder(
            ModelConfig config,
            NDManager manager,
            DataType dtype,
            NDArray embed,
            NDArray head,
            NDArray finalNorm,
            Block[] blocks,
            Map<String, NDArray> weights) {
        this.weights = weights;
        this.config = config;
        this.manager = manager;
        this.dtype = dtype;
        this.embed = embed;
        this.head = head;
        this.finalNorm = finalNorm;
        this.blocks = blocks;
        this.attentionScale = Tensors.scalar(manager, 1.0 / Math.sqrt(config.headDim()), dtype);
    }

    // ---------------------------------------------------------------- weights

    /** Loads a Hugging Face model folder (config.json + safetensors) in F32. */
    public static Decoder load(Path modelDir, NDManager parent) {
        return load(modelDir, parent, DataType.FLOAT32);
    }

    /**
     * @param dtype FLOAT32 for work, FLOAT64 for reference checks (finite differences)
     */
    public static Decoder load(Path modelDir, NDManager parent, DataType dtype) {
        ModelConfig config = ModelConfig.load(modelDir);
        try (WeightFiles files = WeightFiles.open(modelDir)) {
            return fromWeights(
                    config,
                    new WeightSource() {
                        @Override
                        public float[] read(String name, long... shape) {
                            TensorInfo info = files.info(name);
                            if (!Arrays.equals(info.shape(), shape)) {
                                throw new CheckpointException(
                                        files.fileOf(name),
                                        name,
                                        "shape " + info.shapeString() + " disagrees with config.json, which implies "
                                                + Arrays.toString(shape));
                            }
                            return files.readFloats(name);
                        }

                        @Override
                        public NDArray tensor(NDManager m, String name, long... shape) {
                            // F32 bytes go from the file mapping straight into libtorch, and the
                            // mapping is dropped at once: no heap copy, no buffer left for the GC
                            NDArray owned = files.info(name).dtype() == DType.F32
                                            && Arrays.equals(files.info(name).shape(), shape)
                                    ? files.withMappedBytes(name, bytes -> {
                                        try (NDArray mapped = m.create(bytes, new Shape(shape), DataType.FLOAT32)) {
                                            return mapped.duplicate();
                                        }
                                    })
                                    : null;
                            if (owned == null) {
                                return WeightSource.super.tensor(m, name, shape);
                            }
                            // the sum is finite when every weight is (an overflow only sends the tensor
                            // down the exact path); per-element masks would stay in the model's manager
                            boolean finite;
                            try (NDArray sum = owned.sum()) {
                                finite = Float.isFinite(sum.getFloat());
                            }
                            if (!finite) {
                                owned.close();
                                return WeightSource.super.tensor(m, name, shape); // names the bad element
                            }
                            return owned;
                        }

                        @Override
                        public boolean has(String name) {
                            return files.has(name);
                        }
                    },
                    parent,
                    dtype);
        }
    }

    public static Decoder fromWeights(ModelConfig c, WeightSource src, NDManager parent, DataType dtype) {
        NDManager m = parent.newSubManager();
        Map<String, NDArray> named = new LinkedHashMap<>();
        try {
            int h = c.hiddenSize();
            NDArray embed = tensor(named, m, dtype, src, "model.embed_tokens.weight", c.vocabSize(), h);
            NDArray head =
                    c.tieWordEmbeddings() ? embed : tensor(named, m, dtype, src, "lm_head.weight", c.vocabSize(), h);
            NDArray finalNorm = tensor(named, m, dtype, src, "model.norm.weight", h);
            Block[] blocks = new Block[c.numLayers()];
            for (int l = 0; l < blocks.length; l++) {
                NDArray[] proj = new NDArray[Projection.values().length];
                NDArray[] bias = new NDArray[proj.length];
                for (Projection p : Projection.values()) {
                    String mod = p.modulePath(l);
                    proj[p.ordinal()] =
                            tensor(named, m, dtype, src, mod + ".weight", c.outFeatures(p), c.inFeatures(p));
                    if (c.hasBias(p)) {
                        bias[p.ordinal()] = tensor(named, m, dtype, src, mod + ".bias", c.outFeatures(p));
                    }
                }
                String pre = "model.layers." + l + ".";
                blocks[l] = new Block(
                        tensor(named, m, dtype, src, pre + "input_layernorm.weight", h),
                        tensor(named, m, dtype, src, pre + "post_attention_layernorm.weight", h),
                        proj,
                        bias);
            }
            return new Decoder(c, m, dtype, embed, head, finalNorm, blocks, named);
        } catch (RuntimeException e) {
            m.close(); // all or nothing: no half-loaded model keeps native memory
            throw e;
        }
    }

    private static NDArray tensor(
            Map<String, NDArray> named, NDManager m, DataType dtype, WeightSource src, String name, long... shape) {
        NDArray a = dtype == DataType.FLOAT64
                ? Tensors.of(m, src.readDouble(name, shape)).reshape(new Shape(shape))
                : src.tensor(m, name, shape);
        a = dtype == DataType.FLOAT32 || dtype == DataType.FLOAT64 ? a : a.toType(dtype, false);
        named.put(name, a);
        return a;
    }

    /**
     * Every weight by its checkpoint name, in checkpoint order (a tied head is the embedding):
     * what full-parameter training marks for gradients and reads them from.
     */
    public Map<String, NDArray> weights() {
        return Collections.unmodifiableMap(weights);
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    // ---------------------------------------------------------------- forward

    /** Final hidden states after the last RMSNorm, (B, T, H). */
    public NDArray hidden(NDArray ids, TokenBatch batch, LoraDelta lora) {
        NDManager step = ids.getManager();
        int t = batch.maxLength();
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, embed, SparseFormat.DENSE)
                .singletonOrThrow(); // (B, T, H)
        NDArray[] rope;
        NDArray mask;
        if (!batch.packed()) {
            NDArray[] table = rope(t);
            rope = new NDArray[] {table[0], table[1]}; // (T, hd), broadcast over (B, heads)
            // (B, 1, 1, 1, T) key padding + (T, T) causal → (B, 1, 1, T, T), broadcast over heads
            mask = batch.keyPadMask(step, dtype).add(table[2]); // step-owned: the first operand owns the result
        } else {
            NDArray[] table = rope(batch.positionSpan());
            NDArray pos = batch.positionsArray(step); // (B·T)
            long bsz = batch.batchSize();
            rope = new NDArray[] {
                pos.getNDArrayInternal()
                        .embedding(pos, table[0], SparseFormat.DENSE)
                        .singletonOrThrow()
                        .reshape(bsz, 1, t, config.headDim()), // (B, 1, T, hd)
                pos.getNDArrayInternal()
                        .embedding(pos, table[1], SparseFormat.DENSE)
                        .singletonOrThrow()
                        .reshape(bsz, 1, t, config.headDim()),
            };
            mask = batch.treeMask(step, dtype);
        }
        for (int l = 0; l < blocks.length; l++) {
            NDArray next = block(l, x, rope, mask, lora);
            x.close(); // autograd keeps its own reference where backward needs it
            x = next;
        }
        return rmsNorm(x, finalNorm);
    }

    /**
     * One decoder layer. Its intermediates live in a scope closed on return: DJL would otherwise keep
     * every intermediate of the forward alive until the step's manager closes (a 0.5B forward of
     * 4 × 128 tokens held 2.4 GB). Closing a handle only drops our reference: the tensors autograd
     * saved for backward stay alive through autograd's own.
     */
    private NDArray block(int l, NDArray x, NDArray[] rope, NDArray mask, LoraDelta lora) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            x.tempAttach(scope); // results of ops on x belong to scope; x goes back to owner
            NDArray h = addInto(attention(l, rmsNorm(x, blocks[l].inputNorm()), rope, mask, lora), x);
            NDArray out = addInto(mlp(l, rmsNorm(h, blocks[l].postNorm()), lora), h);
            out.attach(owner);
            return out;
        }
    }

    /** Vocabulary logits of hidden states, (..., V). */
    public NDArray logits(NDArray hidden) {
        return hidden.getNDArrayInternal().linear(hidden, head, null).singletonOrThrow();
    }

    /** Logits at each row's last real position, (B, V): what classification and `lm` need. */
    public NDArray lastLogits(NDArray ids, TokenBatch batch, LoraDelta lora) {
        NDArray h = hidden(ids, batch, lora);
        NDArray last = h.reshape(-1, config.hiddenSize()).get(batch.lastPositions(ids.getManager())); // (B, H)
        return logits(last);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray inv =
                x.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt(); // (B, T, 1)
        return mulInto(x.div(inv), weight);
    }

    /*
     * a + b and a · b written into a when autograd records nothing (grad mode off: outside a
     * GradientCollector on DJL's first thread, and inside Engines.noGrad, as scoring runs): each
     * saves a fresh array of a's size, and on this VM a fresh array costs page faults. a must be an
     * intermediate nothing else reads. While recording, the ops are the ordinary ones: autograd may
     * keep their inputs for backward.
     */
    private static NDArray addInto(NDArray a, NDArray b) {
        return JniUtils.isGradMode() ? a.add(b) : a.addi(b);
    }

    private static NDArray mulInto(NDArray a, NDArray b) {
        return JniUtils.isGradMode() ? a.mul(b) : a.muli(b);
    }

    /** y = x Wᵀ + b + LoRA delta, (B, T, out). */
    private NDArray project(int layer, Projection p, NDArray x, LoraDelta lora) {
        Block b = blocks[layer];
        NDArray y = x.getNDArrayInternal()
                .linear(x, b.proj()[p.ordinal()], b.bias()[p.ordinal()])
                .singletonOrThrow();
        NDArray d = lora.apply(layer, p, x);
        return d == null ? y : addInto(y, d);
    }

    private NDArray attention(int layer, NDArray x, NDArray[] rope, NDArray mask, LoraDelta lora) {
        long bsz = x.getShape().get(0);
        long t = x.getShape().get(1);
        int nh = config.numHeads();
        int nkv = config.numKvHeads();
        int hd = config.headDim();
        int g = nh / nkv;
        NDArray q = project(layer, Projection.Q_PROJ, x, lora)
                .reshape(bsz, t, nh, hd)
                .transpose(0, 2, 1, 3);
        NDArray k = project(layer, Projection.K_PROJ, x, lora)
                .reshape(bsz, t, nkv, hd)
                .transpose(0, 2, 1, 3);
        NDArray v = project(layer, Projection.V_PROJ, x, lora)
                .reshape(bsz, t, nkv, hd)
                .transpose(0, 2, 1, 3);
        q = applyRope(q, rope); // (B, nh, T, hd)
        k = applyRope(k, rope); // (B, nkv, T, hd)
        // (mask: (B, 1, 1, T, T) additive)
        // Heads h = kv·g + j share kv head kv: fold the g query heads into the rows of one matmul
        // instead of copying k and v g times.
        NDArray qg = q.reshape(bsz, nkv, (long) g * t, hd);
        NDArray scores = mulInto(qg.matMul(k.transpose(0, 1, 3, 2)), attentionScale); // (B, nkv, g·T, T)
        NDArray probs =
                addInto(scores.reshape(bsz, nkv, g, t, t), mask).softmax(-1).reshape(bsz, nkv, (long) g * t, t);
        NDArray out = probs.matMul(v) // (B, nkv, g·T, hd)
                .reshape(bsz, nh, t, hd)
                .transpose(0, 2, 1, 3)
                .reshape(bsz, t, (long) nh * hd);
        return project(layer, Projection.O_PROJ, out, lora); // (B, T, H)
    }

    private NDArray mlp(int layer, NDArray x, LoraDelta lora) {
        NDArray gate = project(layer, Projection.GATE_PROJ, x, lora); // (B, T, I)
        NDArray up = project(layer, Projection.UP_PROJ, x, lora);
        NDArray act = mulInto(mulInto(Activation.sigmoid(gate), gate), up); // SiLU(gate) · up
        return project(layer, Projection.DOWN_PROJ, act, lora); // (B, T, H)
    }

    /**
     * Hugging Face's rotate-half RoPE: x·cos + rotate_half(x)·sin, halves [x1, x2] → [-x2, x1].
     * cos and sin are (T, hd) or (B, 1, T, hd).
     */
    private NDArray applyRope(NDArray x, NDArray[] rope) {
        int half = config.headDim() / 2;
        NDArray x1 = x.get("..., :{}", half);
        NDArray x2 = x.get("..., {}:", half);
        NDArray rotated = x2.neg().concat(x1, -1);
        return addInto(x.mul(rope[0]), mulInto(rotated, rope[1]));
    }

    /** cos (T, hd), sin (T, hd) and the causal mask (T, T) for length t, built once per length. */
    private NDArray[] rope(int t) {
        return ropeCache.computeIfAbsent(t, len -> {
            int hd = config.headDim();
            double[] invFreq = RopeFrequencies.inverse(config);
            double[] cos = new double[len * hd];
            double[] sin = new double[len * hd];
            for (int pos = 0; pos < len; pos++) {
                for (int i = 0; i < hd / 2; i++) {
                    double angle = pos * invFreq[i];
                    cos[pos * hd + i] = cos[pos * hd + i + hd / 2] = Math.cos(angle);
                    sin[pos * hd + i] = sin[pos * hd + i + hd / 2] = Math.sin(angle);
                }
            }
            float[] causal = new float[len * len];
            for (int i = 0; i < len; i++) {
                for (int j = i + 1; j < len; j++) {
                    causal[i * len + j] = MASKED;
                }
            }
            return new NDArray[] {
                Tensors.of(manager, cos, new Shape(len, hd)).toType(dtype, false),
                Tensors.of(manager, sin, new Shape(len, hd)).toType(dtype, false),
                Tensors.of(manager, causal, new Shape(len, len)).toType(dtype, false),
            };
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
