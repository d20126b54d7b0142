package dev.loracurve.core.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.SafetensorsFile;
import dev.loracurve.core.store.SafetensorsWriter;
import dev.loracurve.core.testing.Shared;
import dev.loracurve.core.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdapterTest {
    @TempDir
    Path dir;

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void writeThenReadGivesTheSameTheta() throws Exception {
        ModelConfig model = TinyModels.llama();
        LoraConfig cfg = LoraConfig.builder()
                .rank(3)
                .alpha(6)
                .dropout(0.05)
                .targets(Projection.Q_PROJ, Projection.V_PROJ, Projection.DOWN_PROJ)
                .rslora(true)
                .build();
        LoraLayout layout = new LoraLayout(model, cfg);
        float[] theta = random(layout.intSize(), 1);
        new PeftAdapter(cfg, theta, "tiny").write(dir.resolve("a"), model);
        PeftAdapter back = PeftAdapter.read(dir.resolve("a"), model);
        assertArrayEquals(theta, back.theta());
        assertEquals(cfg, back.config());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the adapter folder, no temporaries");
        }
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("a").resolve(PeftAdapter.WEIGHTS))) {
            assertArrayEquals(
                    new long[] {3, 24},
                    f.info("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight")
                            .shape());
            assertArrayEquals(
                    new long[] {24, 3},
                    f.info("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight")
                            .shape());
            assertEquals(2 * 3 * 2, f.tensors().size());
        }
    }

    @Test
    void adaptersOfOneCurveMustShareTheirLayout() {
        ModelConfig model = TinyModels.llama();
        LoraConfig r2 = LoraConfig.builder()
                .rank(2)
                .alpha(4)
                .dropout(0)
                .targets(Projection.Q_PROJ)
                .build();
        LoraConfig r3 = r2.toBuilder().rank(3).build();
        new PeftAdapter(r2, random(new LoraLayout(model, r2).intSize(), 1), "tiny").write(dir.resolve("a"), model);
        new PeftAdapter(r2, random(new LoraLayout(model, r2).intSize(), 2), "tiny").write(dir.resolve("b"), model);
        new PeftAdapter(r3, random(new LoraLayout(model, r3).intSize(), 3), "tiny").write(dir.resolve("c"), model);
        assertEquals(
                2,
                PeftAdapter.readAll(List.of(dir.resolve("a"), dir.resolve("b")), model)
                        .size());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PeftAdapter.readAll(List.of(dir.resolve("a"), dir.resolve("c")), model));
        assertTrue(
                e.getMessage().startsWith(dir.resolve("c") + ": LoRA r 3")
                        && e.getMessage().contains("r 2"),
                e.getMessage());
    }

    @Test
    void layoutOrderIsLayerProjectionThenAThenB() {
        LoraLayout layout = new LoraLayout(
                TinyModels.qwen2(),
                LoraConfig.builder()
                        .rank(2)
                        .alpha(4)
                        .dropout(0)
                        .targets(Projection.V_PROJ, Projection.Q_PROJ)
                        .build());
        LoraLayout.Slot q0 = layout.slot(0, Projection.Q_PROJ);
        LoraLayout.Slot v0 = layout.slot(0, Projection.V_PROJ);
        LoraLayout.Slot q1 = layout.slot(1, Projection.Q_PROJ);
        assertEquals(0, q0.offsetA());
        assertEquals(2 * 16, q0.offsetB());
        assertEquals(2 * (16 + 16), v0.offsetA());
        assertEquals(v0.offsetA() + 2 * (16 + 8), q1.offsetA());
        assertEquals(2L * (2 * (16 + 16) + 2 * (16 + 8)), layout.size()); // layers × Σ r·(in + out)
    }

    @Test
    void adapterWrittenByPeftReadsAndWritesBackWithTheSameKeysAndConfig() throws Exception {
        Path peft = Shared.require("fixtures/stories260K-lora-r4");
        ModelConfig model = ModelConfig.load(Shared.require("models/stories260K"));
        PeftAdapter a = PeftAdapter.read(peft, model);
        a.write(dir.resolve("again"), model);
        try (SafetensorsFile orig = SafetensorsFile.open(peft.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile mine = SafetensorsFile.open(dir.resolve("again").resolve(PeftAdapter.WEIGHTS))) {
            assertEquals(orig.tensors().keySet(), mine.tensors().keySet());
            for (String k : orig.tensors().keySet()) {
                assertArrayEquals(orig.info(k).shape(), mine.info(k).shape(), k);
                assertArrayEquals(orig.readFloats(k), mine.readFloats(k), k);
            }
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode o = json.readTree(peft.resolve(PeftAdapter.CONFIG).toFile());
        JsonNode m =
                json.readTree(dir.resolve("again").resolve(PeftAdapter.CONFIG).toFile());
        for (String field : new String[] {
            "peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "bias", "use_rslora", "base_model_name_or_path"
        }) {
            assertEquals(o.get(field).asText(), m.get(field).asText(), field);
        }
        assertEquals(o.get("target_modules").size(), m.get("target_modules").size());
    }

    @Test
    void unknownTargetModuleIsAClearError() throws Exception {
        Path a = dir.resolve("a");
        Files.createDirectories(a);
        Files.writeString(
                a.resolve(PeftAdapter.CONFIG),
                "{\"peft_type\":\"LORA\",\"r\":2,\"lora_alpha\":4,\"target_modules\":[\"q_proj\",\"c_attn\"],\"some_future_key\":1}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> PeftAdapter.readConfig(a));
        assertTrue(e.getMessage().contains("unknown module 'c_attn'"), e.getMessage());
    }

    @Test
    void adapterForAnotherModelIsAClearError() throws Exception {
        ModelConfig small = TinyModels.qwen2();
        LoraConfig cfg = LoraConfig.builder()
                .rank(2)
                .alpha(4)
                .dropout(0)
                .targets(Projection.Q_PROJ)
                .build();
        new PeftAdapter(cfg, random(new LoraLayout(small, cfg).intSize(), 2), "x").write(dir.resolve("a"), small);
        // a model with another hidden size: every shape is wrong
        CheckpointException shape =
                assertThrows(CheckpointException.class, () -> PeftAdapter.read(dir.resolve("a"), TinyModels.llama()));
        assertTrue(
                shape.getMessage().contains("lora_A.weight")
                        && shape.getMessage().contains("expected [2, 24]"),
                shape.getMessage());
        // an extra tensor for a layer the model does not have
        Path b = dir.resolve("b");
        Files.createDirectories(b);
        Files.copy(dir.resolve("a").resolve(PeftAdapter.CONFIG), b.resolve(PeftAdapter.CONFIG));
        LoraLayout layout = new LoraLayout(small, cfg);
        SafetensorsWriter w = new SafetensorsWriter();
        for (LoraLayout.Slot s : layout.slots()) {
            w.add(PeftAdapter.key(s, "lora_A"), new long[] {2, s.in()}, new float[2 * s.in()]);
            w.add(PeftAdapter.key(s, "lora_B"), new long[] {s.out(), 2}, new float[2 * s.out()]);
        }
        w.add("base_model.model.model.layers.9.self_attn.q_proj.lora_A.weight", new long[] {2, 16}, new float[32]);
        w.write(b.resolve(PeftAdapter.WEIGHTS));
        CheckpointException extra = assertThrows(CheckpointException.class, () -> PeftAdapter.read(b, small));
        assertTrue(
                extra.getMessage().contains("layers.9") && extra.getMessage().contains("does not match"),
                extra.getMessage());
    }
}
