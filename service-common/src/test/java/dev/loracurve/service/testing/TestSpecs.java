package dev.loracurve.service.testing;

import dev.loracurve.proto.v1.CurveSpec;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.LoraSpec;
import dev.loracurve.proto.v1.TaskSpec;
import dev.loracurve.proto.v1.TrainerSpec;
import java.nio.file.Path;

/** Small valid experiments on the tiny world (core's TinyWorld): seconds per stage on 2 cores. */
public final class TestSpecs {
    private TestSpecs() {}

    /** K = 3 optima of 150 steps, an anchored quadratic curve of 300 steps, MAP / ensemble / linear / curve at M = 3. */
    public static ExperimentSpec threeOptimaAndACurve(Path world) {
        return ExperimentSpec.newBuilder()
                .setName("test")
                .setBaseModelUri(world.resolve("model").toUri().toString())
                .setTask(TaskSpec.newBuilder()
                        .setName("trec")
                        .setDataUri(world.resolve("data").toString())
                        .setValidationSplit("test")
                        .setMaxLength(64))
                .setLora(LoraSpec.newBuilder()
                        .setRank(2)
                        .setAlpha(4)
                        .addTargetModules("q_proj")
                        .addTargetModules("v_proj"))
                .setK(3)
                .setSeed(11)
                .setTrainer(TrainerSpec.newBuilder()
                        .setSteps(150)
                        .setBatchSize(8)
                        .setLearningRate(3e-3)
                        .setCheckpointEvery(10))
                .setCurve(CurveSpec.newBuilder()
                        .setVariant(CurveSpec.Variant.ANCHORED)
                        .setDegree(2)
                        .setSteps(300)
                        .setBatchSize(8)
                        .setLearningRate(3e-3)
                        .setCheckpointEvery(20))
                .setEval(EvalSpec.newBuilder()
                        .addMethods("map")
                        .addMethods("ensemble")
                        .addMethods("linear")
                        .addMethods("curve")
                        .setSamples(3))
                .build();
    }

    /** Two optima of 20 steps, no curve, MAP and ensemble: the quickest experiment that runs every stage. */
    public static ExperimentSpec quick(Path world) {
        ExperimentSpec s = threeOptimaAndACurve(world);
        return s.toBuilder()
                .setK(2)
                .setTrainer(s.getTrainer().toBuilder().setSteps(20))
                .setEval(EvalSpec.newBuilder()
                        .addMethods("map")
                        .addMethods("ensemble")
                        .setSamples(1))
                .build();
    }
}
