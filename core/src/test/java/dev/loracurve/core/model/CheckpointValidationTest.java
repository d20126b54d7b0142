package dev.loracurve.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.testing.ModelFolders;
import dev.loracurve.core.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model folders checked against config.json: missing tensors, wrong shapes, architectures, shards. */
class CheckpointValidationTest {
    @TempDir
    Path dir;

    @Test
    void tensorRequiredByConfigButAbsent() throws Exception {
        Path model = ModelFolders.write(
                dir.resolve("m"), TinyModels.qwen2(), name -> !name.contains("layers.1.mlp.up_proj"), null);
        try (NDManager m = Engines.newManager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Decoder.load(model, m));
            assertTrue(
                    e.getMessage().contains("model.layers.1.mlp.up_proj.weight")
                            && e.getMessage().contains("no weight file has it"),
                    e.getMessage());
        }
    }

    @Test
    void shapeThatDisagreesWithConfig() throws Exception {
        Path model = ModelFolders.write(
                dir.resolve("m"),
                TinyModels.qwen2(),
                name -> true,
                name -> name.equals("model.layers.0.self_attn.k_proj.weight") ? new long[] {16, 16} : null);
        try (NDManager m = Engines.newManager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Decoder.load(model, m));
            assertTrue(
                    e.getMessage().contains("k_proj.weight")
                            && e.getMessage().contains("[16, 16]")
                            && e.getMessage().contains("[8, 16]"),
                    e.getMessage());
        }
    }

    @Test
    void unsupportedArchitectureIsRefusedByName() throws Exception {
        Path model = ModelFolders.write(dir.resolve("m"), TinyModels.llama(), name -> true, null);
        Files.writeString(
                model.resolve("config.json"),
                Files.readString(model.resolve("config.json")).replace("\"llama\"", "\"gpt2\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.load(model));
        assertTrue(e.getMessage().contains("unsupported architecture 'gpt2'"), e.getMessage());
    }

    @Test
    void shardedFolderLoadsLikeASingleFile() throws Exception {
        Path single = ModelFolders.write(dir.resolve("single"), TinyModels.llama(), name -> true, null);
        Path sharded = ModelFolders.writeSharded(dir.resolve("sharded"), TinyModels.llama(), 3);
        try (NDManager m = Engines.newManager();
                Decoder a = Decoder.load(single, m);
                Decoder b = Decoder.load(sharded, m)) {
            TokenBatch batch = TokenBatch.of(DecoderTest.SEQUENCES);
            float[] la = a.lastLogits(batch.idsArray(m), batch, LoraDelta.NONE).toFloatArray();
            float[] lb = b.lastLogits(batch.idsArray(m), batch, LoraDelta.NONE).toFloatArray();
            assertArrayEquals(la, lb);
        }
    }

    @Test
    void configFieldsOfBothArchitectures() throws Exception {
        Path q = ModelFolders.write(dir.resolve("q"), TinyModels.qwen2(), name -> true, null);
        ModelConfig c = ModelConfig.load(q);
        assertTrue(c.biases().qkv()
                && !c.biases().o()
                && c.tieWordEmbeddings()
                && c.numKvHeads() == 2
                && c.ropeTheta() == 1e6);
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.load(q, m, DataType.FLOAT64)) {
            assertTrue(d.dtype() == DataType.FLOAT64);
        }
    }
}
