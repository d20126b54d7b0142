package dev.loracurve.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.posterior.SwagMoments;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ensemble against its closed form, the average of its members' predictions: made of the MAP
 * members' own scores when they were scored (not scored again), member by member when their
 * layouts differ, in one batched pass when they share one.
 */
class EvalJobTest {
    @TempDir
    Path dir;

    Path model;
    TaskData data;
    LoraConfig rank2;
    LoraConfig rank4;

    @BeforeEach
    void world() throws IOException {
        model = TinyWorld.write(dir);
        data = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .validation("none", 0)
                .build();
        rank2 = LoraConfig.builder()
                .rank(2)
                .alpha(4)
                .dropout(0)
                .targets(Projection.Q_PROJ, Projection.V_PROJ)
                .build();
        rank4 = rank2.toBuilder().rank(4).targets(Projection.Q_PROJ).build();
    }

    private Path adapter(String name, LoraConfig lora, long seed) {
        ModelConfig config = ModelConfig.load(model);
        float[] theta = RandomData.points(1, new LoraLayout(config, lora).intSize(), 0.3, seed)
                .get(0);
        Path out = dir.resolve(name);
        new PeftAdapter(lora, theta, "tiny").write(out, config);
        return out;
    }

    /** method → sample → item → choice probabilities, from predictions.jsonl. */
    private List<double[][][]> predictions(Path out, String... methods) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        List<double[][][]> byMethod = new ArrayList<>();
        for (String method : methods) {
            JsonNode first = json.readTree(lines.get(0)).path("probs").path(method);
            double[][][] p = new double[first.size()][lines.size()][];
            for (int i = 0; i < lines.size(); i++) {
                JsonNode samples = json.readTree(lines.get(i)).path("probs").path(method);
                for (int s = 0; s < samples.size(); s++) {
                    p[s][i] = json.convertValue(samples.get(s), double[].class);
                }
            }
            byMethod.add(p);
        }
        return byMethod;
    }

    private JsonNode run(List<Path> anchors, List<String> methods, Path out) {
        EvalConfig config =
                EvalConfig.builder().methodKeys(methods).samples(1).batchSize(8).build();
        return new EvalJob(model, data, List.of(), anchors, List.of(), config, null)
                .run(out, (m, s) -> {}, EvalJob.Page.NONE);
    }

    @Test
    void anEnsembleOfDifferentLayoutsIsItsMembersPredictions() throws IOException {
        List<Path> anchors = List.of(adapter("a", rank2, 1), adapter("b", rank4, 2));
        Path withMap = dir.resolve("with-map");
        JsonNode report = run(anchors, List.of("map", "ensemble"), withMap);
        List<double[][][]> p = predictions(withMap, "map-0", "map-1", "ensemble");
        assertEquals(2, p.get(2).length, "one sample per member");
        assertArrayEquals(p.get(0)[0], p.get(2)[0], "member 0's own scores");
        assertArrayEquals(p.get(1)[0], p.get(2)[1], "member 1's own scores");
        double[][] mean = Metrics.average(p.get(2));
        int[] labels = labels(report);
        assertEquals(
                Metrics.accuracy(mean, labels),
                report.path("methods").path("ensemble").path("accuracy").asDouble(),
                1e-12);

        Path alone = dir.resolve("alone"); // no MAP scores to reuse: each member scored with its own layout
        run(anchors, List.of("ensemble"), alone);
        double[][][] scoredAlone = predictions(alone, "ensemble").get(0);
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < scoredAlone[s].length; i++) {
                assertArrayEquals(p.get(2)[s][i], scoredAlone[s][i], 1e-6, "sample " + s + " item " + i);
            }
        }
        IllegalArgumentException path = assertThrows(
                IllegalArgumentException.class, () -> run(anchors, List.of("linear"), dir.resolve("linear")));
        assertTrue(path.getMessage().contains("share one layout"), path.getMessage());
    }

    @Test
    void aSharedLayoutEnsembleScoredInOnePassEqualsItsMembers() throws IOException {
        List<Path> anchors = List.of(adapter("a", rank2, 1), adapter("c", rank2, 3));
        Path members = dir.resolve("members");
        run(anchors, List.of("map"), members);
        Path batched = dir.resolve("batched");
        run(anchors, List.of("ensemble"), batched);
        List<double[][][]> map = predictions(members, "map-0", "map-1");
        double[][][] ensemble = predictions(batched, "ensemble").get(0);
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < ensemble[s].length; i++) {
                assertArrayEquals(map.get(s)[0][i], ensemble[s][i], 1e-5, "sample " + s + " item " + i);
            }
        }
    }

    @Test
    void temperatureScalingIsEachMapModelAtTheTemperatureFittedOnTheValidationSplit() throws IOException {
        List<Path> anchors = List.of(adapter("a", rank2, 1), adapter("b", rank4, 2));
        TaskData withFit = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .validation("holdout:16", 0)
                .build();
        Path out = dir.resolve("temperature");
        EvalConfig config = EvalConfig.builder()
                .methodKeys(List.of("map", "temperature"))
                .samples(1)
                .build();
        JsonNode report = new EvalJob(model, withFit, List.of(), anchors, List.of(), config, null)
                .run(out, (m, s) -> {}, EvalJob.Page.NONE);
        List<double[][][]> p = predictions(out, "map-0", "map-1", "temperature-0", "temperature-1");
        for (int i = 0; i < 2; i++) {
            JsonNode method = report.path("methods").path("temperature-" + i);
            double t = method.path("temperature").asDouble();
            assertTrue(t > Temperature.MIN_T && t < Temperature.MAX_T, "T = " + t);
            assertEquals(16, method.path("fit_items").asInt());
            double[][] expected = Temperature.apply(p.get(i)[0], t);
            for (int item = 0; item < expected.length; item++) {
                assertArrayEquals(expected[item], p.get(2 + i)[0][item], 1e-12, "model " + i + " item " + item);
            }
        }
        IllegalArgumentException noSplit = assertThrows(
                IllegalArgumentException.class, () -> run(anchors, List.of("temperature"), dir.resolve("no-fit")));
        assertTrue(noSplit.getMessage().startsWith("methods: temperature: no validation items"), noSplit.getMessage());
    }

    @Test
    void eachOodSetIsItsOwnSectionAndTheInTemplateOneHasNoAnswers() {
        List<Path> anchors = List.of(adapter("a", rank2, 1), adapter("c", rank2, 3));
        // TREC's texts in TREC's own template: the same prompts as the other-task set, without answers
        TaskData oodData = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .validation("none", 0)
                .test("train", 12)
                .build();
        EvalConfig config = EvalConfig.builder()
                .methodKeys(List.of("map", "ensemble"))
                .samples(1)
                .build();
        JsonNode report = new EvalJob(
                        model,
                        data,
                        List.of(
                                new OodSet(OodSet.Protocol.IN_TEMPLATE, oodData),
                                new OodSet(OodSet.Protocol.OTHER_TASK, oodData)),
                        anchors,
                        List.of(),
                        config,
                        null)
                .run(dir.resolve("ood"), (m, s) -> {}, EvalJob.Page.NONE);
        assertEquals(
                "in_template",
                report.path("ood").path("in_template:trec").path("protocol").asText());
        assertEquals(
                12, report.path("ood").path("other_task:trec").path("items").asInt());
        for (String method : List.of("map-0", "map-1", "ensemble")) {
            JsonNode inTemplate =
                    report.path("methods").path(method).path("ood").path("in_template:trec");
            JsonNode otherTask = report.path("methods").path(method).path("ood").path("other_task:trec");
            assertTrue(otherTask.has("accuracy") && !inTemplate.has("accuracy"), method);
            for (String f : List.of("mutual_information", "entropy", "auroc_mi", "auroc_entropy")) {
                assertEquals(otherTask.path(f).asDouble(), inTemplate.path(f).asDouble(), 1e-12, method + " " + f);
            }
        }
        assertTrue(report.path("methods")
                        .path("ensemble")
                        .path("ood")
                        .path("in_template:trec")
                        .path("mutual_information")
                        .asDouble()
                > 0);
    }

    @Test
    void swagAndLaplaceSampleAroundEachOptimum() throws IOException {
        Path a = adapter("a", rank2, 1);
        Path b = adapter("b", rank2, 2);
        ModelConfig modelConfig = ModelConfig.load(model);
        float[] thetaA = PeftAdapter.read(a, modelConfig).theta();
        SwagMoments still = new SwagMoments(thetaA.length, 3); // iterates that never moved: every draw is θ
        for (int i = 0; i < 4; i++) {
            still.collect(thetaA);
        }
        still.write(a);
        SwagMoments moving = new SwagMoments(thetaA.length, 3);
        RandomData.points(6, thetaA.length, 0.3, 4).forEach(moving::collect);
        moving.write(b);
        Path out = dir.resolve("posteriors");
        EvalConfig config = EvalConfig.builder()
                .methodKeys(List.of("map", "swag", "laplace"))
                .samples(3)
                .fisherItems(5)
                .build();
        JsonNode report = new EvalJob(model, data, List.of(), List.of(a, b), List.of(), config, null)
                .run(out, (m, s) -> {}, EvalJob.Page.NONE);
        List<double[][][]> p = predictions(out, "map-0", "swag-0", "swag-1", "laplace-0");
        for (int s = 0; s < 3; s++) {
            assertArrayEquals(p.get(0)[0][5], p.get(1)[s][5], 1e-6, "a still SWAG posterior is its mean, θ");
        }
        assertEquals(3, p.get(2).length);
        assertTrue(
                report.path("methods").path("swag-1").path("mutual_information").asDouble() > 1e-6);
        JsonNode laplace = report.path("methods").path("laplace-0");
        assertEquals(5, laplace.path("fisher_items").asInt());
        assertTrue(laplace.path("prior_precision").asDouble() > 0);
        assertTrue(laplace.path("mutual_information").asDouble() > 0);

        Path bare = adapter("bare", rank2, 3);
        EvalConfig swagOnly =
                EvalConfig.builder().methodKeys(List.of("swag")).samples(2).build();
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class,
                () -> new EvalJob(model, data, List.of(), List.of(bare), List.of(), swagOnly, null)
                        .run(dir.resolve("no-swag"), (m, s) -> {}, EvalJob.Page.NONE));
        assertTrue(none.getMessage().contains("trained without collecting SWAG moments"), none.getMessage());
        assertTrue(!Files.exists(dir.resolve("no-swag")), "nothing half-written");
    }

    private int[] labels(JsonNode report) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("with-map").resolve("predictions.jsonl"));
        int[] labels = new int[lines.size()];
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = json.readTree(lines.get(i)).path("label").asInt();
        }
        assertEquals(labels.length, report.path("items").asInt());
        return labels;
    }
}
