package dev.loracurve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.core.eval.EvalConfig;
import dev.loracurve.core.eval.EvalJob;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.report.ReportPage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Scores MAP, ensemble, linear path, MC dropout and curve BMA side by side on one code path. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Evaluate methods: report.json, predictions.jsonl, report.html.")
final class EvalCommand implements Runnable, ConfigFlags {
    @Mixin
    TaskOptions taskOptions;

    @Option(names = "--split", defaultValue = "test")
    String split;

    @Option(names = "--limit", defaultValue = "0")
    int limit;

    @Option(names = "--anchors", arity = "1..*", description = "the K optima (PEFT adapters)")
    List<Path> anchors = List.of();

    @Option(names = "--curve", arity = "1..*", description = "curve folders")
    List<Path> curves = List.of();

    @Option(
            names = "--methods",
            split = ",",
            description = "default: map, ensemble, linear, mcdropout, curve; also temperature (with --fit-split)")
    List<String> methods;

    @Option(
            names = "--samples",
            defaultValue = "" + EvalConfig.Builder.DEFAULT_SAMPLES,
            description = "M points per path / dropout masks")
    int samples;

    @Option(names = "--random-t", description = "draw t uniformly with this seed instead of t_m = (m - 0.5) / M")
    Long randomT;

    @Option(
            names = "--mc-dropout",
            defaultValue = "" + EvalConfig.Builder.DEFAULT_MC_DROPOUT,
            description = "dropout probability for MC dropout")
    double mcDropout;

    @Option(
            names = "--fit-split",
            defaultValue = "none",
            description = "the split temperature scaling is fitted on, held out from training (a split name or"
                    + " holdout:N, the last N training items)")
    String fitSplit;

    @Option(names = "--fit-limit", defaultValue = "0", description = "its first N items (0 = all)")
    int fitLimit;

    @Option(
            names = "--ood",
            description = "[PROTOCOL:]TASK:PATH, an out-of-distribution set (repeatable): in_template puts the"
                    + " task's texts in this task's prompt and classes, other_task keeps its own; default:"
                    + " in_template for sst2, trec, agnews, boolq, rte against another task, else other_task")
    List<String> ood = List.of();

    @Option(names = "--ood-split", defaultValue = "validation")
    String oodSplit;

    @Option(names = "--ood-limit", defaultValue = "0")
    int oodLimit;

    @Option(names = "--path", description = "a path.json to plot in the report")
    Path pathJson;

    @Option(
            names = "--path-grid",
            defaultValue = "0",
            description = "profile the loss along the first curve and its straight path on N t values (0 = no)")
    int pathGrid;

    @Option(
            names = "--batch-size",
            defaultValue = "" + EvalConfig.Builder.DEFAULT_BATCH_SIZE,
            description = "items per chunk (a batched chunk has M × this rows)")
    int batchSize;

    @Option(names = "--sequential", description = "one forward pass per sample instead of batched adapters")
    boolean sequential;

    @Option(
            names = "--plane-grid",
            defaultValue = "0",
            description = "the training loss on the plane through the first curve's first three optima, N × N points"
                    + " (0 = no)")
    int planeGrid;

    @Option(
            names = "--fisher-items",
            defaultValue = "" + EvalConfig.Builder.DEFAULT_FISHER_ITEMS,
            description = "laplace: training items its Fisher is computed on (the first N)")
    int fisherItems;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Map<String, String> flags() {
        Map<String, String> f = new HashMap<>(TaskOptions.FLAGS);
        f.putAll(Map.ofEntries(
                Map.entry("planeGrid", "--plane-grid"),
                Map.entry("methods", "--methods"),
                Map.entry("samples", "--samples"),
                Map.entry("mcDropout", "--mc-dropout"),
                Map.entry("batchSize", "--batch-size"),
                Map.entry("pathGrid", "--path-grid"),
                Map.entry("maxLength", "--max-length"),
                Map.entry("testSplit.limit", "--limit"),
                Map.entry("validationSplit.name", "--fit-split"),
                Map.entry("validationSplit.limit", "--fit-limit"),
                Map.entry("fisherItems", "--fisher-items")));
        return f;
    }

    @Override
    public void run() {
        TaskData taskData = taskOptions
                .data()
                .validation(fitSplit, fitLimit)
                .test(split, limit)
                .build();
        List<OodSet> oodSets = new ArrayList<>();
        for (String set : ood) {
            List<String> parts = new ArrayList<>(List.of(set.split(":", 3)));
            boolean named =
                    parts.size() == 3 && List.of("in_template", "other_task").contains(parts.get(0));
            if (!named && parts.size() == 3) { // a path with a colon
                parts = List.of(parts.get(0), parts.get(1) + ":" + parts.get(2));
            }
            if (parts.size() < 2) {
                throw new IllegalArgumentException("--ood takes [PROTOCOL:]TASK:PATH, got '" + set + "'");
            }
            Task task = Task.byName(parts.get(named ? 1 : 0));
            TaskData data = TaskData.builder(task, Path.of(parts.get(named ? 2 : 1)))
                    .validation("none", 0)
                    .test(oodSplit, oodLimit)
                    .maxLength(taskOptions.maxLength)
                    .build();
            oodSets.add(new OodSet(
                    named ? OodSet.Protocol.of(parts.get(0)) : OodSet.Protocol.defaultFor(taskData.task(), task),
                    data));
        }
        EvalConfig.Builder config = EvalConfig.builder()
                .samples(samples)
                .randomT(randomT)
                .mcDropout(mcDropout)
                .batchSize(batchSize)
                .sequential(sequential)
                .pathGrid(pathGrid)
                .fisherItems(fisherItems)
                .planeGrid(planeGrid);
        if (methods != null) {
            config.methodKeys(methods);
        }
        EvalJob job = new EvalJob(taskOptions.model, taskData, oodSets, anchors, curves, config.build(), pathJson);
        JsonNode report = job.run(
                out, (method, seconds) -> System.err.printf("%s: %.1f s%n", method, seconds), ReportPage::write);
        System.out.print(ReportPage.table(report));
        System.out.println("report: " + out.resolve("report.html"));
    }
}
