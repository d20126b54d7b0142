package dev.loracurve.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.TaskData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * report.json as it is built (the run's header, one section per method, the loss path and plane),
 * and the folder it is written to: report.json, predictions.jsonl and report.html, atomically.
 */
final class EvalReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root = JSON.createObjectNode();
    private final ObjectNode methods;
    private final Map<String, double[][][]> probs = new LinkedHashMap<>();
    private final EvalContext ctx;

    EvalReport(TaskData data, EvalContext ctx) {
        this.ctx = ctx;
        root.put("task", data.task().name())
                .put("split", data.testSplit().name())
                .put("items", ctx.test().size())
                .put("samples", ctx.config().samples())
                .put("batched", !ctx.config().sequential());
        if (!ctx.ood().isEmpty()) {
            ObjectNode sets = root.putObject("ood");
            ctx.ood()
                    .forEach((set, items) -> sets.putObject(set.name())
                            .put("protocol", set.protocol().key())
                            .put("task", set.data().task().name())
                            .put(
                                    "source",
                                    set.data().data().getFileName() + "/"
                                            + set.data().testSplit().name())
                            .put("items", items.size()));
        }
        methods = root.putObject("methods");
    }

    /** Adds a scored method's section: its metrics, what it fitted, and one subsection per OOD set. */
    void add(String name, Plan plan, Scored s) {
        ObjectNode r = MethodReport.of(s.test(), EvalContext.labels(ctx.test()), plan.ts());
        r.setAll(s.fitted());
        if (!ctx.ood().isEmpty()) {
            ObjectNode sections = r.putObject("ood");
            ctx.ood()
                    .forEach((set, items) -> sections.set(
                            set.name(), MethodReport.ood(s.test(), s.ood().get(set), EvalContext.labels(items))));
        }
        methods.set(name, r);
        probs.put(name, s.test());
    }

    void set(String section, JsonNode value) {
        root.set(section, value);
    }

    JsonNode json() {
        return root;
    }

    /** Writes the folder at once: a reader sees all three files or none. */
    void write(Path out, EvalJob.Page page, JsonNode path) {
        AtomicFiles.writeDirectory(out, dir -> {
            Files.writeString(dir.resolve("report.json"), root.toPrettyString());
            Files.writeString(dir.resolve("predictions.jsonl"), predictions());
            page.write(dir.resolve("report.html"), root, path);
        });
    }

    /** One line per test item: its id, label and each method's per-sample probabilities. */
    private String predictions() {
        StringBuilder sb = new StringBuilder();
        List<Example> items = ctx.test();
        for (int i = 0; i < items.size(); i++) {
            ObjectNode line = JSON.createObjectNode();
            line.put("id", items.get(i).id());
            line.put("label", items.get(i).label());
            ObjectNode p = line.putObject("probs");
            for (Map.Entry<String, double[][][]> e : probs.entrySet()) {
                ArrayNode rows = p.putArray(e.getKey());
                for (double[][] sample : e.getValue()) {
                    ArrayNode row = rows.addArray();
                    for (double x : sample[i]) {
                        row.add(x);
                    }
                }
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
