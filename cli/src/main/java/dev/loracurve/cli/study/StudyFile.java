package dev.loracurve.cli.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loracurve.cli.stack.SpecFile;
import dev.loracurve.proto.v1.ExperimentSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A study as YAML: a base experiment spec (the fields of {@code loracurve run}'s spec), the tasks
 * (each an override of it: its task and OOD sets), the seeds (0, 1, 2 by default) and the
 * ablations (each an override and the method families it adds rows for, the curve by default).
 * Every cell of (base + ablations) × tasks × seeds is one experiment spec, the base cells first.
 * Overrides merge into the base field by field; a list replaces a list. An ablation that only
 * changes the curve can also narrow {@code eval.methods} to the curve, so that its cells score
 * nothing else.
 *
 * <pre>
 * name: stories260k
 * seeds: [0, 1, 2]
 * spec: {base_model_uri: ..., lora: {...}, k: 3, trainer: {...}, curve: {...}, eval: {...}}
 * tasks:
 *   trec: {task: {name: trec, data_uri: ...}, eval: {ood: {task: sst2, ...}}}
 * ablations:
 *   js-0: {override: {curve: {js_lambda: 0}}, methods: [curve]}
 * </pre>
 */
public record StudyFile(String name, Path out, List<Cell> cells) {
    /** One experiment of the grid: task, ablation ("" = the base settings), seed, its spec and row families. */
    public record Cell(String task, String ablation, long seed, ExperimentSpec spec, List<String> methods) {
        public String label() {
            return task + " · " + (ablation.isEmpty() ? "base" : ablation) + " · seed " + seed;
        }
    }

    /**
     * A study seed s is the experiment seed s · 1000: run-i of an experiment uses its seed + i, so
     * consecutive experiment seeds would share K − 1 of their K optima and the seeds would not be
     * independent.
     */
    public static final long SEED_STRIDE = 1000;

    private static final Set<String> FIELDS = Set.of("name", "seeds", "spec", "tasks", "ablations", "out");

    public static StudyFile read(Path yaml) {
        ObjectNode root;
        try {
            JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
            if (!(tree instanceof ObjectNode o)) {
                throw new IllegalArgumentException(yaml + ": expected a mapping with spec, tasks, seeds, ablations");
            }
            root = o;
        } catch (IOException e) {
            throw new IllegalArgumentException(yaml + ": not valid YAML: " + e.getMessage());
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(yaml + ": unknown field '" + f + "' (known: " + FIELDS + ")");
            }
        }
        Path base = yaml.toAbsolutePath().getParent();
        String name = root.path("name").asText(yaml.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        Path out = base.resolve(root.path("out").asText(name));
        List<Long> seeds = new ArrayList<>();
        for (JsonNode s : root.path("seeds")) {
            if (!s.canConvertToLong()) {
                throw new IllegalArgumentException(yaml + ": seeds: '" + s + "' is not an integer");
            }
            seeds.add(s.asLong());
        }
        if (seeds.isEmpty()) {
            seeds = List.of(0L, 1L, 2L);
        }
        if (!(root.get("spec") instanceof ObjectNode spec)) {
            throw new IllegalArgumentException(yaml + ": spec: the base experiment spec is required");
        }
        if (!(root.get("tasks") instanceof ObjectNode tasks) || tasks.isEmpty()) {
            throw new IllegalArgumentException(yaml + ": tasks: at least one task (name: override) is required");
        }
        // the base settings of every task first, then each ablation: a partial study has the main table
        List<Cell> cells = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> t = tasks.fields(); t.hasNext(); ) {
            Map.Entry<String, JsonNode> task = t.next();
            addCells(cells, yaml, base, task.getKey(), "", merge(spec, task.getValue()), List.of(), seeds);
        }
        for (Iterator<Map.Entry<String, JsonNode>> a = root.path("ablations").fields(); a.hasNext(); ) {
            Map.Entry<String, JsonNode> ablation = a.next();
            List<String> families = new ArrayList<>();
            ablation.getValue().path("methods").forEach(m -> families.add(m.asText()));
            for (Iterator<Map.Entry<String, JsonNode>> t = tasks.fields(); t.hasNext(); ) {
                Map.Entry<String, JsonNode> task = t.next();
                addCells(
                        cells,
                        yaml,
                        base,
                        task.getKey(),
                        ablation.getKey(),
                        merge(merge(spec, task.getValue()), ablation.getValue().path("override")),
                        families.isEmpty() ? List.of("curve") : families,
                        seeds);
            }
        }
        return new StudyFile(name, out, cells);
    }

    private static void addCells(
            List<Cell> cells,
            Path yaml,
            Path base,
            String task,
            String ablation,
            ObjectNode spec,
            List<String> methods,
            List<Long> seeds) {
        for (long seed : seeds) {
            ObjectNode s = spec.deepCopy();
            // run-i trains with the experiment's seed + i: seeds SEED_STRIDE apart share no run
            s.put("seed", seed * SEED_STRIDE);
            s.put("name", task + (ablation.isEmpty() ? "" : "-" + ablation) + "-seed" + seed);
            String origin = yaml + " (task " + task + (ablation.isEmpty() ? "" : ", ablation " + ablation) + ")";
            cells.add(new Cell(task, ablation, seed, SpecFile.parse(s, base, origin), methods));
        }
    }

    /** {@code base} with {@code override} merged in: objects field by field, anything else replaced. */
    public static ObjectNode merge(ObjectNode base, JsonNode override) {
        ObjectNode out = base.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (out.get(e.getKey()) instanceof ObjectNode inner && e.getValue().isObject()) {
                out.set(e.getKey(), merge(inner, e.getValue()));
            } else {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }
}
