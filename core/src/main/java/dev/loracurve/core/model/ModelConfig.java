package dev.loracurve.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a Hugging Face {@code config.json} that a Llama or Qwen2 decoder needs.
 *
 * @param qkvBias q/k/v projections have biases (always for qwen2; {@code attention_bias} for llama)
 * @param oBias   o_proj has a bias (llama with {@code attention_bias}; never for qwen2)
 * @param mlpBias gate/up/down have biases (llama {@code mlp_bias})
 * @param ropeScaling null, or Llama-3 style frequency scaling
 */
public record ModelConfig(
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double ropeTheta,
        double rmsNormEps,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        boolean mlpBias,
        RopeScaling ropeScaling) {

    /** Llama 3.1's rope_scaling: low frequencies stretched by factor, high ones kept, smooth between. */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    public ModelConfig {
        require(hiddenSize > 0, "hidden_size must be positive");
        require(intermediateSize > 0, "intermediate_size must be positive");
        require(numLayers > 0, "num_hidden_layers must be positive");
        require(numHeads > 0, "num_attention_heads must be positive");
        require(
                numKvHeads > 0 && numHeads % numKvHeads == 0,
                "num_key_value_heads (" + numKvHeads + ") must divide num_attention_heads (" + numHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim must be positive and even (RoPE rotates pairs)");
        require(vocabSize > 0, "vocab_size must be positive");
        require(ropeTheta > 0, "rope_theta must be positive");
        require(rmsNormEps > 0, "rms_norm_eps must be positive");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("config.json: " + message);
        }
    }

    public static ModelConfig load(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        try {
            return parse(new ObjectMapper().readTree(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
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
        return new ModelConfig(
                type,
                hidden,
                requiredInt(c, "intermediate_size"),
                requiredInt(c, "num_hidden_layers"),
                heads,
                c.path("num_key_value_heads").asInt(heads),
                c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads,
                requiredInt(c, "vocab_size"),
                c.path("rope_theta").asDouble(10000.0),
                c.path("rms_norm_eps").asDouble(qwen ? 1e-6 : 1e-6),
                c.path("tie_word_embeddings").asBoolean(false),
                qwen || attnBias,
                !qwen && attnBias,
                !qwen && c.path("mlp_bias").asBoolean(false),
                scaling);
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
            case Q_PROJ -> numHeads * headDim;
            case K_PROJ, V_PROJ -> numKvHeads * headDim;
            case O_PROJ, DOWN_PROJ -> hiddenSize;
            case GATE_PROJ, UP_PROJ -> intermediateSize;
        };
    }

    /** Input width of each projection that LoRA can target. */
    public int inFeatures(Projection p) {
        return switch (p) {
            case Q_PROJ, K_PROJ, V_PROJ, GATE_PROJ, UP_PROJ -> hiddenSize;
            case O_PROJ -> numHeads * headDim;
            case DOWN_PROJ -> intermediateSize;
        };
    }

    public boolean hasBias(Projection p) {
        return switch (p) {
            case Q_PROJ, K_PROJ, V_PROJ -> qkvBias;
            case O_PROJ -> oBias;
            case GATE_PROJ, UP_PROJ, DOWN_PROJ -> mlpBias;
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
            j.put("attention_bias", qkvBias());
            j.put("mlp_bias", mlpBias());
        }
        AtomicFiles.writeString(dir.resolve("config.json"), j.toPrettyString());
    }
}
