package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.WordTokenizer;
import dev.loracurve.core.train.Schedule;
import dev.loracurve.proto.v1.CurveSpec;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.LoraSpec;
import dev.loracurve.proto.v1.OodSpec;
import dev.loracurve.proto.v1.TaskSpec;
import dev.loracurve.proto.v1.TrainerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec validation names every bad field; the mapping fills the documented defaults. */
class SpecsTest {
    @TempDir
    Path dir;

    /** The test's folder is the only data root: s3:// and paths elsewhere are refused. */
    private Specs specs() {
        return new Specs(
                new DataLocations(List.of(dir.toString()), () -> {
                    throw new AssertionError("no s3:// reads in this test");
                }),
                SpecLimits.DEFAULT);
    }

    private ExperimentSpec valid() throws Exception {
        ModelConfig.builder("llama")
                .hiddenSize(16)
                .intermediateSize(32)
                .layers(1)
                .heads(2)
                .headDim(8)
                .vocabSize(50)
                .build()
                .write(dir.resolve("model"));
        Files.writeString(dir.resolve("train.txt"), "NUM:count how many ?\n");
        return ExperimentSpec.newBuilder()
                .setBaseModelUri(dir.resolve("model").toUri().toString())
                .setTask(TaskSpec.newBuilder()
                        .setName("trec")
                        .setDataUri(dir.resolve("train.txt").toString()))
                .setLora(LoraSpec.newBuilder().setRank(4).setAlpha(8).addTargetModules("q_proj"))
                .setK(2)
                .setTrainer(
                        TrainerSpec.newBuilder().setSteps(10).setBatchSize(2).setLearningRate(1e-3))
                .setCurve(CurveSpec.newBuilder()
                        .setVariant(CurveSpec.Variant.ANCHORED)
                        .setDegree(2)
                        .setSteps(5)
                        .setBatchSize(2)
                        .setLearningRate(1e-3))
                .setEval(EvalSpec.newBuilder()
                        .addMethods("ensemble")
                        .addMethods("curve")
                        .setSamples(3))
                .build();
    }

    @Test
    void aValidSpecMapsWithTheDocumentedDefaults() throws Exception {
        ExperimentSpec s = valid();
        Specs specs = specs();
        specs.validate(s);
        assertEquals(256, specs.taskData(s).maxLength());
        assertEquals(Schedule.COSINE, Specs.trainConfig(s).optimizer().schedule());
        assertEquals(1, Specs.trainConfig(s).gradAccumulation());
        assertEquals("validation", specs.taskData(s).validationSplit().name());
        assertEquals(dir.resolve("model"), specs.model(s));
        List<Path> optima = List.of(dir.resolve("run-0"), dir.resolve("run-1"));
        assertEquals(optima, specs.curveJob(s, optima).anchors(), "an anchored curve goes through the optima");
        ExperimentSpec grown = s.toBuilder()
                .setCurve(s.getCurve().toBuilder()
                        .setVariant(CurveSpec.Variant.FREE)
                        .setSegments(3))
                .build();
        specs.validate(grown);
        assertEquals(
                List.of(), specs.curveJob(grown, optima).anchors(), "a free curve of another S grows from scratch");
        assertEquals(3, specs.curveJob(grown, optima).shape().segments());

        OodSpec texts =
                OodSpec.newBuilder().setTask("sst2").setDataUri(dir.toString()).build();
        ExperimentSpec withOod = s.toBuilder()
                .setEval(s.getEval().toBuilder()
                        .setOod(texts)
                        .addMoreOod(texts.toBuilder().setProtocol("other_task")))
                .build();
        assertEquals(
                List.of("in_template:sst2", "other_task:sst2"),
                specs.oodSets(withOod).stream().map(o -> o.name()).toList(),
                "a classifier meets other texts in its own template unless told otherwise");
    }

    @Test
    void everyViolationNamesItsField() throws Exception {
        ExperimentSpec s = valid();
        Map<String, UnaryOperator<ExperimentSpec.Builder>> cases = Map.ofEntries(
                Map.entry("spec.k must be >= 2 for an anchored curve, got 1", b -> b.setK(1)),
                Map.entry("spec.k must be >= 1, got 0", b -> b.setK(0)),
                Map.entry(
                        "spec.lora.rank must be > 0, got 0",
                        b -> b.setLora(b.getLora().toBuilder().setRank(0))),
                Map.entry(
                        "spec.lora.dropout must be in [0, 1), got 1.0",
                        b -> b.setLora(b.getLora().toBuilder().setDropout(1))),
                Map.entry(
                        "spec.lora.target_modules: unknown module 'c_attn'",
                        b -> b.setLora(b.getLora().toBuilder().addTargetModules("c_attn"))),
                Map.entry(
                        "spec.curve.degree must be > 0, got 0",
                        b -> b.setCurve(b.getCurve().toBuilder().setDegree(0))),
                Map.entry(
                        "spec.curve.segments must be 0 or K - 1 = 1 for an anchored curve",
                        b -> b.setCurve(b.getCurve().toBuilder().setSegments(3))),
                Map.entry(
                        "spec.curve.variant must be ANCHORED or FREE",
                        b -> b.setCurve(b.getCurve().toBuilder().clearVariant())),
                Map.entry(
                        "spec.curve.js_points must be >= 2",
                        b -> b.setCurve(
                                b.getCurve().toBuilder().setJsLambda(0.1).setJsPoints(1))),
                Map.entry(
                        "spec.curve.diversity must be js or cosine, got 'l2'",
                        b -> b.setCurve(b.getCurve().toBuilder().setDiversity("l2"))),
                Map.entry(
                        "spec.eval.samples must be > 0, got 0",
                        b -> b.setEval(b.getEval().toBuilder().setSamples(0))),
                Map.entry(
                        "spec.eval.mc_dropout must be in (0, 1)",
                        b -> b.setEval(b.getEval().toBuilder().addMethods("mcdropout"))),
                Map.entry(
                        "spec.eval.methods: temperature is fitted on the validation split, and"
                                + " spec.task.validation_split is none",
                        b -> b.setTask(b.getTask().toBuilder().setValidationSplit("none"))
                                .setEval(b.getEval().toBuilder().addMethods("temperature"))),
                Map.entry(
                        "spec.eval.ood.task: unknown task 'imagenet'",
                        b -> b.setEval(b.getEval().toBuilder()
                                .setOod(OodSpec.newBuilder().setTask("imagenet").setDataUri(dir.toString())))),
                Map.entry(
                        "spec.eval.more_ood[0].protocol: unknown OOD protocol 'elsewhere'",
                        b -> b.setEval(b.getEval().toBuilder()
                                .addMoreOod(OodSpec.newBuilder()
                                        .setTask("trec")
                                        .setDataUri(dir.resolve("train.txt").toString())
                                        .setProtocol("elsewhere")))),
                Map.entry(
                        "spec.eval.ood.protocol: in_template needs a task with fixed classes",
                        b -> b.setTask(b.getTask().toBuilder().setName("arc-easy"))
                                .setEval(b.getEval().toBuilder()
                                        .setOod(OodSpec.newBuilder()
                                                .setTask("trec")
                                                .setDataUri(
                                                        dir.resolve("train.txt").toString())
                                                .setProtocol("in_template")))),
                Map.entry(
                        "spec.task.name: unknown task 'mmlu'",
                        b -> b.setTask(b.getTask().toBuilder().setName("mmlu"))),
                Map.entry(
                        "spec.task.data_uri: no data at",
                        b -> b.setTask(b.getTask().toBuilder()
                                .setDataUri(dir.resolve("none").toString()))),
                Map.entry(
                        "spec.task.validation_split: holdout:N needs a positive N",
                        b -> b.setTask(b.getTask().toBuilder().setValidationSplit("holdout:x"))),
                Map.entry("spec.base_model_uri: no model folder", b -> b.setBaseModelUri(dir.toString())),
                Map.entry(
                        "spec.base_model_uri: 's3://bucket/model' is outside the data roots",
                        b -> b.setBaseModelUri("s3://bucket/model")),
                Map.entry(
                        "spec.task.data_uri: '/etc/passwd' is outside the data roots this installation allows",
                        b -> b.setTask(b.getTask().toBuilder().setDataUri("/etc/passwd"))),
                Map.entry(
                        "spec.trainer.batch_size must be <= 1024 (this installation's limit loracurve.limits.batch-size),"
                                + " got 100000000",
                        b -> b.setTrainer(b.getTrainer().toBuilder().setBatchSize(100_000_000))),
                Map.entry(
                        "spec.k must be <= 32 (this installation's limit loracurve.limits.k), got 1000",
                        b -> b.setK(1000)),
                Map.entry(
                        "spec.base_model_uri: 'file:///proc/self' is outside the data roots",
                        b -> b.setBaseModelUri("file:///proc/self")),
                Map.entry(
                        "spec.trainer.warmup_steps must be between 0 and steps, got 20",
                        b -> b.setTrainer(b.getTrainer().toBuilder().setWarmupSteps(20))),
                Map.entry(
                        "spec.trainer.schedule must be cosine, linear or constant",
                        b -> b.setTrainer(b.getTrainer().toBuilder().setSchedule("step"))));
        Specs specs = specs();
        cases.forEach((message, change) -> {
            InvalidSpecException e = assertThrows(
                    InvalidSpecException.class,
                    () -> specs.validate(change.apply(s.toBuilder()).build()));
            assertTrue(e.getMessage().contains(message), message + " not in: " + e.getMessage());
        });
        InvalidSpecException several = assertThrows(
                InvalidSpecException.class,
                () -> specs.validate(s.toBuilder()
                        .setK(0)
                        .setLora(LoraSpec.getDefaultInstance())
                        .build()));
        assertEquals(
                List.of(
                        "spec.lora.rank must be > 0, got 0",
                        "spec.lora.alpha must be > 0, got 0",
                        "spec.lora.target_modules must name at least one of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj",
                        "spec.k must be >= 1, got 0"),
                several.violations(),
                "all violations, not only the first");
    }

    @Test
    void missingSplitsAndPromptsLongerThanMaxLengthAreRefusedAtSubmission() throws Exception {
        ExperimentSpec base = valid();
        Path data = dir.resolve("trec");
        Files.createDirectories(data);
        Files.writeString(
                data.resolve("train.txt"),
                "NUM:count how many ?\nLOC:where is it where is it where is it where is it where is it ?\n");
        Files.writeString(data.resolve("test.txt"), "NUM:count how many ?\n");
        WordTokenizer.write(
                dir.resolve("model"),
                List.of(
                        "count",
                        "how",
                        "many",
                        "where",
                        "is",
                        "it",
                        "?",
                        "abbreviation",
                        "description",
                        "entity",
                        "human",
                        "location",
                        "number",
                        "question",
                        "type",
                        "answer",
                        ":"));
        ExperimentSpec noValidation = base.toBuilder()
                .setTask(base.getTask().toBuilder().setDataUri(data.toString()))
                .build();
        Specs specs = specs();
        specs.validate(noValidation); // the spec itself is fine: only its files can say otherwise
        InvalidSpecException missing = assertThrows(InvalidSpecException.class, () -> specs.checkData(noValidation));
        assertEquals(
                List.of("spec.task.validation_split"),
                missing.fieldViolations().stream().map(v -> v.field()).toList(),
                missing.getMessage());
        assertTrue(missing.getMessage().contains("no file for split 'validation'"), missing.getMessage());

        ExperimentSpec tooShort = noValidation.toBuilder()
                .setTask(noValidation.getTask().toBuilder()
                        .setValidationSplit("none")
                        .setMaxLength(8))
                .build();
        specs.validate(tooShort);
        InvalidSpecException longer = assertThrows(InvalidSpecException.class, () -> specs.checkData(tooShort));
        assertEquals(
                List.of("spec.task.max_length"),
                longer.fieldViolations().stream().map(v -> v.field()).toList(),
                longer.getMessage());
        assertTrue(longer.getMessage().contains("more than the maximum length 8"), longer.getMessage());

        specs.checkData(noValidation.toBuilder()
                .setTask(noValidation.getTask().toBuilder().setValidationSplit("none"))
                .build()); // every split there and every prompt within 256 tokens: accepted
    }
}
