package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.loracurve.core.config.ConfigFields;
import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveShape;
import dev.loracurve.core.eval.EvalConfig;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.TrainConfig;
import dev.loracurve.proto.v1.ExperimentSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each spec table walked over every field of the configuration it maps: every settable field has
 * a spec field, every table entry names a real core field and a real proto field. A field the
 * spec does not offer is listed here with the reason.
 */
class SpecFieldsTest {
    private record Case(String name, SpecFields table, Class<? extends Record> config, Set<String> absent) {}

    private static List<Case> cases() {
        Set<String> loraInTrainer = ConfigFields.paths(LoraConfig.class).stream()
                .map(p -> "lora." + p)
                .collect(Collectors.toSet());
        Set<String> trainerAbsent = new LinkedHashSet<>(loraInTrainer); // built by the LORA table first
        // AdamW's betas and epsilon and its decay mode are PyTorch's defaults, not offered by the spec
        trainerAbsent.addAll(
                Set.of("optimizer.decayMode", "optimizer.adam.beta1", "optimizer.adam.beta2", "optimizer.adam.eps"));
        Set<String> curveAbsent = new LinkedHashSet<>(
                Set.of("optimizer.decayMode", "optimizer.adam.beta1", "optimizer.adam.beta2", "optimizer.adam.eps"));
        curveAbsent.add("dropout"); // the curve fits with its anchors' LoRA dropout
        return List.of(
                new Case("lora", SpecFields.LORA, LoraConfig.class, Set.of()),
                new Case("trainer", SpecFields.TRAINER, TrainConfig.class, trainerAbsent),
                new Case("curve shape", SpecFields.CURVE_SHAPE, CurveShape.class, Set.of()),
                new Case("curve fit", SpecFields.CURVE_FIT, CurveFitConfig.class, curveAbsent),
                // randomT and sequential are the CLI's: a service always scores stratified t, batched
                new Case("eval", SpecFields.EVAL, EvalConfig.class, Set.of("randomT", "sequential")),
                // the task's name and folder are checked by Specs itself (spec.task.name, data_uri)
                new Case("task", SpecFields.TASK, TaskData.class, Set.of("task", "data")),
                // an OOD set is only ever a test split of another task or folder
                new Case(
                        "ood",
                        SpecFields.OOD,
                        TaskData.class,
                        Set.of(
                                "task",
                                "data",
                                "trainSplit.name",
                                "trainSplit.limit",
                                "validationSplit.name",
                                "validationSplit.limit",
                                "cues")));
    }

    @Test
    void everyFieldHasASpecFieldAndEverySpecFieldExists() {
        List<String> problems = new ArrayList<>();
        for (Case c : cases()) {
            Set<String> fields = ConfigFields.pathsWithParts(c.config());
            c.table().names().forEach((field, name) -> {
                if (!fields.contains(field)) {
                    problems.add(c.name() + ": '" + field + "' is no field of "
                            + c.config().getSimpleName());
                }
                String path = c.table().specField(field);
                if (!protoFieldExists(path)) {
                    problems.add(c.name() + ": " + path + " (for " + field + ") is no field of the spec");
                }
            });
            for (String field : ConfigFields.paths(c.config())) {
                if (!c.table().names().containsKey(field) && !c.absent().contains(field)) {
                    problems.add(c.name() + ": field '" + field + "' has no spec field");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** spec.trainer.swag.learning_rate: each step a field of the message before it. */
    private static boolean protoFieldExists(String path) {
        Descriptor message = ExperimentSpec.getDescriptor();
        String[] parts = path.substring("spec.".length()).split("\\.");
        for (int i = 0; i < parts.length; i++) {
            FieldDescriptor f = message == null ? null : message.findFieldByName(parts[i]);
            if (f == null) {
                return false;
            }
            message = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? f.getMessageType() : null;
        }
        return true;
    }
}
