package dev.loracurve.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.config.Violations;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.JsonFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a Hugging Face {@code config.json} that a Llama or Qwen2 decoder needs, grouped:
 * sizes, attention, biases. Read with {@link #load}, or built by name with {@link #builder} (the
 * defaults are config.json's, as {@link #parse} applies them). Violations name config.json's fields.
 *
 * @param modelType "llama" or "qwen2"
 */
public record ModelConfig(
        String modelType,
        Dimensions dims,
        Attention attention,
        Biases biases,
        double rmsNormEps,
        boolean tieWordEmbeddings) {

    /** Widths and depth. */
    public record Dimensions(int hiddenSize, int intermediateSize, int numLayers, int vocabSize) {}

    /** Heads (grouped-query when kvHeads < heads), head width and rotary embedding. */
    public record Attention(int numHeads, int numKvHeads, int headDim, double ropeTheta, RopeScaling ropeScaling) {}

    /**
     * @param qkv q/k/v projections have biases (always for qwen2; {@code attention_bias} for llama)
     * @param o   o_proj has a bias (llama with {@code attention_bias}; never for qwen2)
     * @param mlp gate/up/down have biases (llama {@code mlp_bias})
     */
    public record Biases(boolean qkv, boolean o, boolean mlp) {}

    /** Llama 3.1's rope_scaling: low frequencies stretched by factor, high ones kept, smooth between. */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    public ModelConfig {
        Violations v = new Violations();
        v.positive("hidden_size", dims.hiddenSize()).positive("intermediate_size", dims.intermediateSize());
        v.positive("num_hidden_layers", dims.numLayers()).positive("vocab_size", dims.vocabSize());
        v.positive("num_attention_heads", attention.numHeads());
        v.require(
                attention.numKvHeads() > 0 && attention.numHeads() % attention.numKvHeads() == 0,
                "num_key_value_heads",
                "(" + attention.numKvHeads() + ") must divide num_attention_heads (" + attention.numHeads() + ")");
        v.require(
                attention.headDim() > 0 && attention.headDim() % 2 == 0,
                "head_dim",
                "must be positive and even (RoPE rotates pairs), got " + attention.headDim());
        v.positive("rope_theta", attention.ropeTheta()).positive("rms_norm_eps", rmsNormEps);
        v.throwIfAny();
    }

    public int hiddenSize() {
        return dims.hiddenSize();
    }

    public int intermediateSize() {
        return dims.intermediateSize();
    }

    public int numLayers() {
        return dims.numLayers();
    }

    public int vocabSize() {
        return dims.vocabSize();
    }

    public int numHeads() {
        return attention.numHeads();
    }

    public int numKvHeads() {
        return attention.numKvHeads();
    }

    public int headDim() {
        return attention.headDim();
    }

    public double ropeTheta() {
        return attention.ropeTheta();
    }

    public RopeScaling ropeScaling() {
        return attention.ropeScaling();
    }

    public static ModelConfig load(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        JsonNode json = JsonFiles.read(file);
        try {
            return parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig parse(JsonNode c) {
        String type = c.path("model_type").asText("");
        if (!type.equals("llama") && !type.equals("qwen2")) {
            throw new IllegalArgumentException(
                    "unsupported architecture '" + type + "' (config.json model_type); supported: llama, qwen2");
        }
        int hidden = requiredInt(c, "hidden_size");
        int heads = requiredInt(c, "num_attention_heads");
        boolean qwen = type.equals("qwen2");
        boolean attnBias = c.path("attention_bias").asBoolean(false);
        RopeScaling scaling = null;
        JsonNode rs = c.path("rope_scaling");
        if (rs.isObject()) {
            String kind = rs.path("rope_type").asText(rs.path("type").asText(""));
            if (!kind.equals("llama3")) {
                throw new IllegalArgumentException("rope_scaling type '" + kind + "' is not supported (only llama3)");
            }
            scaling = new RopeScaling(
                    rs.path("factor").asDouble(8),
                    rs.path("low_freq_factor").asDouble(1),
                    rs.path("high_freq_factor").asDouble(4),
                    rs.path("original_max_position_embeddings").asInt(8192));
        }
        return builder(type)
                .hiddenSize(hidden)
                .intermediateSize(requiredInt(c, "intermediate_size"))
                .layers(requiredInt(c, "num_hidden_layers"))
                .heads(heads)
                .kvHeads(c.path("num_key_value_heads").asInt(heads))
                .headDim(c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : heads > 0 ? hidden / heads : 0)
                .vocabSize(requiredInt(c, "vocab_size"))
                .ropeTheta(c.path("rope_theta").asDouble(Builder.ROPE_THETA))
                .ropeScaling(scaling)
                .rmsNormEps(c.path("rms_norm_eps").asDouble(Builder.RMS_NORM_EPS))
                .tieWordEmbeddings(c.path("tie_word_embeddings").asBoolean(false))
                .biases(new Biases(
                        qwen || attnBias,
                        !qwen && attnBias,
                        !qwen && c.path("mlp_bias").asBoolean(false)))
                .build();
    }

    private static int requiredInt(JsonNode c, String field) {
        JsonNode v = c.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException(field + " is missing or not an integer");
        }
        return v.asInt();
    }

    /** Output width of each projection that LoRA can target. */
    public int outFeatures(Projection p) {
        return switch (p) {
            case Q_PROJ -> numHeads() * headDim();
            case K_PROJ, V_PROJ -> numKvHeads() * headDim();
            case O_PROJ, DOWN_PROJ -> hiddenSize();
            case GATE_PROJ, UP_PROJ -> intermediateSize();
        };
    }

    /** Input width of each projection that LoRA can target. */
    public int inFeatures(Projection p) {
        return switch (p) {
            case Q_PROJ, K_PROJ, V_PROJ, GATE_PROJ, UP_PROJ -> hiddenSize();
            case O_PROJ -> numHeads() * headDim();
            case DOWN_PROJ -> intermediateSize();
        };
    }

    public boolean hasBias(Projection p) {
        return switch (p) {
            case Q_PROJ, K_PROJ, V_PROJ -> biases.qkv();
            case O_PROJ -> biases.o();
            case GATE_PROJ, UP_PROJ, DOWN_PROJ -> biases.mlp();
        };
    }

    /** Every tensor name and shape this config implies, in checkpoint order. */
    public Map<String, long[]> tensorShapes() {
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] {vocabSize(), hiddenSize()});
        for (int l = 0; l < numLayers(); l++) {
            t.put("model.layers." + l + ".input_layernorm.weight", new long[] {hiddenSize()});
            for (Projection p : Projection.values()) {
                t.put(p.modulePath(l) + ".weight", new long[] {outFeatures(p), inFeatures(p)});
                if (hasBias(p)) {
                    t.put(p.modulePath(l) + ".bias", new long[] {outFeatures(p)});
                }
            }
            t.put("model.layers." + l + ".post_attention_layernorm.weight", new long[] {hiddenSize()});
        }
        t.put("model.norm.weight", new long[] {hiddenSize()});
        if (!tieWordEmbeddings()) {
            t.put("lm_head.weight", new long[] {vocabSize(), hiddenSize()});
        }
        return t;
    }

    /** Writes config.json into {@code dir} (Hugging Face field names). */
    public void write(Path dir) {
        ObjectNode j = new ObjectMapper().createObjectNode();
        j.put("model_type", modelType());
        j.put("hidden_size", hiddenSize());
        j.put("intermediate_size", intermediateSize());
        j.put("num_hidden_layers", numLayers());
        j.put("num_attention_heads", numHeads());
        j.put("num_key_value_heads", numKvHeads());
        j.put("head_dim", headDim());
        j.put("vocab_size", vocabSize());
        j.put("rope_theta", ropeTheta());
        j.put("rms_norm_eps", rmsNormEps());
        j.put("tie_word_embeddings", tieWordEmbeddings());
        if (modelType().equals("llama")) {
            j.put("attention_bias", biases.qkv());
            j.put("mlp_bias", biases.mlp());
        }
        AtomicFiles.writeString(dir.resolve("config.json"), j.toPrettyString());
    }

    /** A config of {@code modelType} to fill by name; unset fields take config.json's defaults. */
    public static Builder builder(String modelType) {
        return new Builder(modelType);
    }

    /** Defaults as Hugging Face applies them: rope_theta 1e4, rms_norm_eps 1e-6, kv heads = heads, head_dim = hidden / heads. */
    public static final class Builder {
        static final double ROPE_THETA = 10000.0;
        static final double RMS_NORM_EPS = 1e-6;
        private final String modelType;
        private int hiddenSize;
        private int intermediateSize;
        private int layers;
        private int vocabSize;
        private int heads;
        private Integer kvHeads;
        private Integer headDim;
        private double ropeTheta = ROPE_THETA;
        private RopeScaling ropeScaling;
        private double rmsNormEps = RMS_NORM_EPS;
        private boolean tieWordEmbeddings;
        private Biases biases;

        private Builder(String modelType) {
            this.modelType = modelType;
        }

        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        public Builder intermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder kvHeads(int v) {
            kvHeads = v;
            return this;
        }

        public Builder headDim(int v) {
            headDim = v;
            return this;
        }

        public Builder ropeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        public Builder ropeScaling(RopeScaling v) {
            ropeScaling = v;
            return this;
        }

        public Builder rmsNormEps(double v) {
            rmsNormEps = v;
            return this;
        }

        public Builder tieWordEmbeddings(boolean v) {
            tieWordEmbeddings = v;
            return this;
        }

        /** Default: qkv biases for qwen2, none for llama. */
        public Builder biases(Biases v) {
            biases = v;
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(
                    modelType,
                    new Dimensions(hiddenSize, intermediateSize, layers, vocabSize),
                    new Attention(
                            heads,
                            kvHeads == null ? heads : kvHeads,
                            headDim == null ? (heads > 0 ? hiddenSize / heads : 0) : headDim,
                            ropeTheta,
                            ropeScaling),
                    biases == null ? new Biases(modelType.equals("qwen2"), false, false) : biases,
                    rmsNormEps,
                    tieWordEmbeddings);
        }
    }
}
