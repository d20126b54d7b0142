package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loracurve.core.config.ConfigFields;
import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveShape;
import dev.loracurve.core.eval.EvalConfig;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Each command's table of core field → flag, walked over every field of the configurations the
 * command builds: every field a user can set has its flag, every flag exists, every table entry
 * names a real field. A field left out is listed here with the reason it has no flag.
 */
class ConfigFlagsTest {
    private record Case(
            ConfigFlags command, List<Class<? extends Record>> configs, Set<String> extra, Set<String> absent) {}

    private static final Set<String> TASK_FIXED = Set.of(
            "task",
            "data",
            "trainSplit.name",
            "validationSplit.name",
            "validationSplit.limit",
            "testSplit.name",
            "testSplit.limit");

    private static List<Case> cases() {
        return List.of(
                new Case(
                        new TrainCommand(),
                        List.of(TrainConfig.class, TaskData.class),
                        Set.of(),
                        union(
                                // the task's folder and splits are given by --task/--data and split flags, test unused
                                Set.of("task", "data", "trainSplit.name", "testSplit.name", "testSplit.limit"),
                                // PyTorch's AdamW defaults and decoupled decay are fixed for training
                                Set.of("optimizer.decayMode", "lora.useRslora"))),
                new Case(
                        new CurveCommand.Fit(),
                        List.of(CurveFitConfig.class, CurveShape.class, TaskData.class),
                        Set.of("r", "alpha", "kind", "anchors"),
                        union(
                                TASK_FIXED,
                                // a curve fits with its anchors' LoRA dropout and the decay of --decay-on
                                Set.of("dropout", "optimizer.decayMode", "variant"))),
                new Case(
                        new EvalCommand(),
                        List.of(EvalConfig.class, TaskData.class),
                        Set.of(),
                        union(
                                Set.of("task", "data", "trainSplit.name", "trainSplit.limit", "testSplit.name"),
                                // set by --random-t and --sequential, which cannot be out of range
                                Set.of("randomT", "sequential"))),
                new Case(
                        new PathCommand(),
                        List.of(TaskData.class),
                        Set.of("pathGrid", "batchSize"),
                        Set.of("task", "data", "validationSplit.name", "validationSplit.limit")));
    }

    @Test
    void everyFieldHasAFlagAndEveryFlagExists() {
        List<String> problems = new ArrayList<>();
        for (Case c : cases()) {
            String name = c.command().getClass().getSimpleName();
            CommandLine.Model.CommandSpec spec = new CommandLine(c.command()).getCommandSpec();
            Set<String> fields = new LinkedHashSet<>(c.extra());
            Set<String> settable = new LinkedHashSet<>();
            for (Class<? extends Record> config : c.configs()) {
                fields.addAll(ConfigFields.pathsWithParts(config));
                settable.addAll(ConfigFields.paths(config));
            }
            c.command().flags().forEach((field, flag) -> {
                if (!fields.contains(field)) {
                    problems.add(name + ": '" + field + "' is no field of " + c.configs());
                }
                if (spec.findOption(flag) == null) {
                    problems.add(name + ": " + flag + " (for " + field + ") is no option");
                }
            });
            for (String field : settable) {
                if (!c.command().flags().containsKey(field) && !c.absent().contains(field)) {
                    problems.add(name + ": field '" + field + "' has no flag");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return out;
    }
}
