package dev.loracurve.core.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.model.WordTokenizer;
import dev.loracurve.core.tasks.DataFormatException;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.testing.ModelFolders;
import dev.loracurve.core.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of outside origin that are wrong on purpose: non-finite weights are refused by tensor name,
 * every message names its file and field, no message quotes what a file holds, and no name inside a
 * file leads out of its folder.
 */
class HostileFilesTest {
    private static final String SECRET = "root:$6$secret-hash:19000:0:99999:7:::";

    @TempDir
    Path dir;

    @Test
    void nonFiniteWeightsAreRefusedByTensor() throws Exception {
        ModelConfig c = TinyModels.qwen2();
        Path model = ModelFolders.write(dir.resolve("m"), c, name -> true, null);
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("model.safetensors"))) {
            for (var t : f.tensors().entrySet()) {
                float[] v = f.readFloats(t.getKey());
                if (t.getKey().equals("model.layers.1.self_attn.k_proj.weight")) {
                    v[7] = Float.NaN;
                }
                w.add(t.getKey(), t.getValue().shape(), v);
            }
        }
        w.write(model.resolve("model.safetensors"));
        try (NDManager m = Engines.newManager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Decoder.load(model, m));
            assertTrue(
                    e.getMessage().contains("model.layers.1.self_attn.k_proj.weight")
                            && e.getMessage().contains("NaN")
                            && e.getMessage().contains("must be finite"),
                    e.getMessage());
        }
        LoraConfig lora = LoraConfig.builder().rank(2).alpha(4).build();
        float[] theta = new float[new LoraLayout(c, lora).intSize()];
        theta[3] = Float.POSITIVE_INFINITY;
        new PeftAdapter(lora, theta, "m").write(dir.resolve("adapter"), c);
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> PeftAdapter.read(dir.resolve("adapter"), c));
        assertTrue(e.getMessage().contains("lora_A") && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void messagesNameTheFileButNeverQuoteIt() throws Exception {
        Path model = dir.resolve("m");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), SECRET);
        IllegalArgumentException cfg = assertThrows(IllegalArgumentException.class, () -> ModelConfig.load(model));
        assertTrue(cfg.getMessage().startsWith(model.resolve("config.json").toString()), cfg.getMessage());
        assertTrue(cfg.getMessage().contains("malformed JSON at line 1"), cfg.getMessage());
        assertFalse(cfg.getMessage().contains("root"), "the file's content stays out: " + cfg.getMessage());

        WordTokenizer.write(model, List.of("a", "b"));
        Files.writeString(model.resolve("tokenizer.json"), SECRET);
        IllegalArgumentException tok = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(model));
        assertTrue(tok.getMessage().startsWith(model.resolve("tokenizer.json").toString()), tok.getMessage());
        assertFalse(tok.getMessage().contains("root"), tok.getMessage());

        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"question\": \"ok\"}\n" + SECRET + "\n");
        DataFormatException rows = assertThrows(
                DataFormatException.class, () -> Task.byName("boolq").load(data));
        assertTrue(rows.getMessage().startsWith(data + ":2: malformed JSON"), rows.getMessage());
        assertFalse(rows.getMessage().contains("root"), rows.getMessage());

        Path adapter = dir.resolve("a");
        Files.createDirectories(adapter);
        Files.writeString(adapter.resolve(PeftAdapter.CONFIG), "{\"peft_type\": \"LORA\", \"lora_alpha\": 8}");
        CheckpointException r = assertThrows(CheckpointException.class, () -> PeftAdapter.readConfig(adapter));
        assertTrue(
                r.getMessage().contains(PeftAdapter.CONFIG) && r.getMessage().contains("r (the LoRA rank) is missing"),
                r.getMessage());
    }

    @Test
    void namesInsideFilesDoNotLeadOutOfTheirFolder() throws Exception {
        Path model = ModelFolders.write(dir.resolve("m"), TinyModels.qwen2(), name -> true, null);
        Files.writeString(
                model.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"model.norm.weight\": \"../../etc/passwd\"}}");
        CheckpointException shard = assertThrows(CheckpointException.class, () -> WeightFiles.open(model));
        assertTrue(shard.getMessage().contains("a shard must be a file of the model's folder"), shard.getMessage());

        Path curve = dir.resolve("curve");
        Files.createDirectories(curve);
        Files.writeString(
                curve.resolve(CurveFolder.FILE),
                "{\"variant\": \"free\", \"segments\": 1, \"degree\": 1,"
                        + " \"control_points\": [\"../a\", \"../b\"], \"pinned\": [false, false]}");
        CheckpointException point =
                assertThrows(CheckpointException.class, () -> CurveFolder.read(curve, TinyModels.qwen2()));
        assertTrue(point.getMessage().contains("plain folder names"), point.getMessage());
    }
}
