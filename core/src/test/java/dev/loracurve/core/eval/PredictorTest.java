package dev.loracurve.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-input predictions against what eval writes for the same items, and their uncertainty's closed forms. */
class PredictorTest {
    @TempDir
    Path dir;

    @Test
    void anItemGetsTheNumbersEvalWritesForIt() throws IOException {
        Path model = TinyWorld.write(dir);
        TaskData data = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .validation("none", 0)
                .build();
        LoraConfig lora = LoraConfig.builder()
                .rank(2)
                .alpha(4)
                .dropout(0.1)
                .targets(Projection.Q_PROJ, Projection.V_PROJ)
                .build();
        ModelConfig config = ModelConfig.load(model);
        List<Path> anchors = List.of(adapter(model, config, lora, "a", 1), adapter(model, config, lora, "b", 2));
        EvalConfig eval = EvalConfig.builder()
                .methodKeys(List.of("map", "ensemble", "linear", "mcdropout"))
                .samples(3)
                .build();
        Path out = dir.resolve("report");
        new EvalJob(model, data, List.of(), anchors, List.of(), eval, null).run(out, (m, s) -> {}, EvalJob.Page.NONE);
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        // the test items as a client sends them: the prompt as eval builds it, the cues as continuations
        List<Item> items = data.test().stream()
                .map(i -> new Item(i.id(), "", i.prompt(), i.cues(), i.cues(), Item.NO_LABEL, i.prompt()))
                .toList();
        ObjectMapper json = new ObjectMapper();
        try (Predictor p = Predictor.load(model, anchors, List.of(), eval, data.maxLength())) {
            assertEquals(List.of("map-0", "map-1", "ensemble", "linear", "mcdropout"), p.methods());
            for (String method : List.of("map-1", "ensemble", "linear", "mcdropout")) {
                Prediction[] got = p.predict(method, items, true);
                for (int i = 0; i < items.size(); i++) {
                    JsonNode samples = json.readTree(lines.get(i)).path("probs").path(method);
                    assertEquals(samples.size(), got[i].samples().length, method);
                    for (int m = 0; m < samples.size(); m++) {
                        for (int c = 0; c < got[i].probabilities().length; c++) {
                            assertEquals(
                                    samples.get(m).get(c).asDouble(),
                                    got[i].samples()[m][c],
                                    1e-6,
                                    method + " item " + i + " sample " + m);
                        }
                    }
                }
            }
            assertEquals("map-0", p.resolve("map"));
            InvalidConfigException unknown = assertThrows(InvalidConfigException.class, () -> p.resolve("laplace"));
            assertTrue(unknown.getMessage().startsWith("method: 'laplace' is not served"), unknown.getMessage());
        }
    }

    @Test
    void theUncertaintySplitsIntoItsClosedForms() {
        // two samples that disagree completely on one item: p̄ = (½, ½), each sample certain
        double[][][] probs = {{{1, 0}}, {{0, 1}}};
        Prediction p = Prediction.of(probs, false)[0];
        assertEquals(Math.log(2), p.entropy(), 1e-12);
        assertEquals(0.0, p.expectedEntropy(), 1e-12);
        assertEquals(Math.log(2), p.mutualInformation(), 1e-12);
        assertEquals(null, p.samples());
        // two samples that agree: no epistemic part
        Prediction same = Prediction.of(new double[][][] {{{0.25, 0.75}}, {{0.25, 0.75}}}, true)[0];
        assertEquals(0.0, same.mutualInformation(), 1e-12);
        assertEquals(1, same.choice());
        assertEquals(2, same.samples().length);
    }

    private Path adapter(Path model, ModelConfig config, LoraConfig lora, String name, long seed) {
        float[] theta = RandomData.points(1, new LoraLayout(config, lora).intSize(), 0.3, seed)
                .get(0);
        Path out = dir.resolve(name);
        new PeftAdapter(lora, theta, "tiny").write(out, config);
        return out;
    }
}
