package dev.loracurve.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.store.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** Writes Hugging Face model folders of random weights, optionally broken on purpose. */
public final class ModelFolders {
    private ModelFolders() {}

    /** Every tensor name and shape that config.json implies. */
    public static Map<String, long[]> expectedTensors(ModelConfig c) {
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] {c.vocabSize(), c.hiddenSize()});
        for (int l = 0; l < c.numLayers(); l++) {
            t.put("model.layers." + l + ".input_layernorm.weight", new long[] {c.hiddenSize()});
            for (Projection p : Projection.values()) {
                t.put(p.modulePath(l) + ".weight", new long[] {c.outFeatures(p), c.inFeatures(p)});
                if (c.hasBias(p)) {
                    t.put(p.modulePath(l) + ".bias", new long[] {c.outFeatures(p)});
                }
            }
            t.put("model.layers." + l + ".post_attention_layernorm.weight", new long[] {c.hiddenSize()});
        }
        t.put("model.norm.weight", new long[] {c.hiddenSize()});
        if (!c.tieWordEmbeddings()) {
            t.put("lm_head.weight", new long[] {c.vocabSize(), c.hiddenSize()});
        }
        return t;
    }

    /**
     * @param keep      which tensors to write
     * @param wrongShape a replacement shape for a tensor, or null to keep it
     */
    public static Path write(Path dir, ModelConfig c, Predicate<String> keep, Function<String, long[]> wrongShape)
            throws IOException {
        Files.createDirectories(dir);
        writeConfig(dir, c);
        RandomWeights w = new RandomWeights(1);
        SafetensorsWriter out = new SafetensorsWriter();
        for (Map.Entry<String, long[]> e : expectedTensors(c).entrySet()) {
            if (!keep.test(e.getKey())) {
                continue;
            }
            long[] shape = wrongShape == null || wrongShape.apply(e.getKey()) == null ? e.getValue() : wrongShape.apply(e.getKey());
            out.add(e.getKey(), shape, w.read(e.getKey(), shape));
        }
        out.write(dir.resolve("model.safetensors"));
        return dir;
    }

    /** The same random weights split over {@code shards} files with an index. */
    public static Path writeSharded(Path dir, ModelConfig c, int shards) throws IOException {
        Files.createDirectories(dir);
        writeConfig(dir, c);
        RandomWeights w = new RandomWeights(1);
        List<Map.Entry<String, long[]>> all = new ArrayList<>(expectedTensors(c).entrySet());
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata");
        ObjectNode map = index.putObject("weight_map");
        for (int s = 0; s < shards; s++) {
            String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            SafetensorsWriter out = new SafetensorsWriter();
            for (int i = s; i < all.size(); i += shards) {
                out.add(all.get(i).getKey(), all.get(i).getValue(), w.read(all.get(i).getKey(), all.get(i).getValue()));
                map.put(all.get(i).getKey(), name);
            }
            out.write(dir.resolve(name));
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        return dir;
    }

    public static void writeConfig(Path dir, ModelConfig c) throws IOException {
        ObjectNode j = new ObjectMapper().createObjectNode();
        j.put("model_type", c.modelType());
        j.put("hidden_size", c.hiddenSize());
        j.put("intermediate_size", c.intermediateSize());
        j.put("num_hidden_layers", c.numLayers());
        j.put("num_attention_heads", c.numHeads());
        j.put("num_key_value_heads", c.numKvHeads());
        j.put("head_dim", c.headDim());
        j.put("vocab_size", c.vocabSize());
        j.put("rope_theta", c.ropeTheta());
        j.put("rms_norm_eps", c.rmsNormEps());
        j.put("tie_word_embeddings", c.tieWordEmbeddings());
        if (c.modelType().equals("llama")) {
            j.put("attention_bias", c.qkvBias());
            j.put("mlp_bias", c.mlpBias());
        }
        Files.writeString(dir.resolve("config.json"), j.toPrettyString());
    }
}
