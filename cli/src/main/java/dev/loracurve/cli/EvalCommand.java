package dev.loracurve.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.curve.BezierCurve;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.eval.MethodReport;
import dev.loracurve.core.eval.SampleScorer;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scores MAP, ensemble, linear path, MC dropout and curve BMA side by side on one code path. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate methods: report.json, predictions.jsonl, report.html.")
final class EvalCommand implements Runnable {
    @Option(names = "--model", required = true) Path model;
    @Option(names = "--task", required = true) String task;
    @Option(names = "--data", required = true) Path data;
    @Option(names = "--split", defaultValue = "test") String split;
    @Option(names = "--limit", defaultValue = "0") int limit;
    @Option(names = "--anchors", arity = "1..*", description = "the K optima (PEFT adapters)") List<Path> anchors = List.of();
    @Option(names = "--curve", arity = "1..*", description = "curve folders") List<Path> curves = List.of();
    @Option(names = "--methods", split = ",", defaultValue = "map,ensemble,linear,mcdropout,curve") List<String> methods;
    @Option(names = "--samples", defaultValue = "10", description = "M points per path / dropout masks") int samples;
    @Option(names = "--random-t", description = "draw t uniformly with this seed instead of t_m = (m - 0.5) / M") Long randomT;
    @Option(names = "--mc-dropout", defaultValue = "0.1", description = "dropout probability for MC dropout") double mcDropout;
    @Option(names = "--ood", description = "TASK:PATH, another task's inputs as out-of-distribution") String ood;
    @Option(names = "--ood-split", defaultValue = "validation") String oodSplit;
    @Option(names = "--ood-limit", defaultValue = "0") int oodLimit;
    @Option(names = "--cues", split = ",") List<String> cues;
    @Option(names = "--path", description = "a path.json to plot in the report") Path pathJson;
    @Option(names = "--batch-size", defaultValue = "8", description = "items per chunk (a batched chunk has M × this rows)") int batchSize;
    @Option(names = "--sequential", description = "one forward pass per sample instead of batched adapters") boolean sequential;
    @Option(names = "--max-length", defaultValue = "256") int maxLength;
    @Option(names = "--out", required = true) Path out;

    /** A method: its samples (θ per sample), whether dropout is on, and the t of each sample. */
    private record Method(List<float[]> thetas, boolean dropout, double[] ts, LoraConfig lora) {}

    @Override
    public void run() {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be at least 1");
        }
        ModelConfig config = ModelConfig.load(model);
        List<float[]> optima = new ArrayList<>();
        LoraConfig lora = null;
        for (Path a : anchors) {
            PeftAdapter p = PeftAdapter.read(a, config);
            lora = lora == null ? p.config() : lora;
            optima.add(p.theta());
        }
        double[] ts = new double[samples];
        SplittableRandom rng = randomT == null ? null : new SplittableRandom(randomT);
        for (int m = 0; m < samples; m++) {
            ts[m] = rng == null ? (m + 0.5) / samples : rng.nextDouble();
        }
        Map<String, Method> plan = new LinkedHashMap<>();
        for (String method : methods) {
            switch (method.trim()) {
                case "map" -> {
                    for (int i = 0; i < optima.size(); i++) {
                        plan.put("map-" + i, new Method(List.of(optima.get(i)), false, null, lora));
                    }
                }
                case "ensemble" -> {
                    if (optima.size() >= 2) {
                        plan.put("ensemble", new Method(optima, false, null, lora));
                    }
                }
                case "linear" -> {
                    if (optima.size() >= 2) {
                        BezierCurve line = BezierCurve.anchored(optima, 1, 0, 0); // degree 1: the straight segments
                        plan.put("linear", new Method(pointsAt(line, ts), false, ts, lora));
                    }
                }
                case "mcdropout" -> {
                    if (!optima.isEmpty()) {
                        plan.put("mcdropout", new Method(SampleScorer.copies(optima.get(0), samples), true, null,
                                lora.withDropout(mcDropout)));
                    }
                }
                case "curve" -> {
                    for (Path c : curves) {
                        CurveFolder f = CurveFolder.read(c, config);
                        plan.put("curve-" + c.getFileName(), new Method(pointsAt(f.curve(), ts), false, ts, f.lora()));
                    }
                }
                default -> throw new IllegalArgumentException("--methods: unknown method '" + method
                        + "' (map, ensemble, linear, mcdropout, curve)");
            }
        }
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: give --anchors and/or --curve for the chosen --methods");
        }
        Task t = Task.byName(task);
        try (NDManager m = Engines.newManager();
             Decoder decoder = Decoder.load(model, m);
             TextTokenizer tok = TextTokenizer.load(model)) {
            PromptEncoder enc = new PromptEncoder(tok, maxLength);
            List<Item> items = TasksCommand.limit(TasksCommand.withCues(t.load(data, split), cues), limit);
            List<Example> examples = enc.encode(items);
            List<Example> oodExamples = null;
            if (ood != null) {
                String[] parts = ood.split(":", 2);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("--ood takes TASK:PATH");
                }
                oodExamples = enc.encode(TasksCommand.limit(Task.byName(parts[0]).load(Path.of(parts[1]), oodSplit), oodLimit));
            }
            int[] labels = examples.stream().mapToInt(Example::label).toArray();
            ObjectMapper json = new ObjectMapper();
            ObjectNode report = json.createObjectNode();
            report.put("task", task).put("split", split).put("items", examples.size()).put("samples", samples);
            report.put("batched", !sequential);
            if (ood != null) {
                report.put("ood", ood).put("ood_items", oodExamples.size());
            }
            ObjectNode methodsNode = report.putObject("methods");
            Map<String, double[][][]> probs = new LinkedHashMap<>();
            long seed = 0;
            for (Map.Entry<String, Method> e : plan.entrySet()) {
                Method method = e.getValue();
                SampleScorer scorer = new SampleScorer(decoder, m, new LoraLayout(config, method.lora()), batchSize);
                long t0 = System.nanoTime();
                double[][][] p = scorer.score(method.thetas(), method.dropout(), examples, !sequential, seed);
                double[][][] po = oodExamples == null ? null
                        : scorer.score(method.thetas(), method.dropout(), oodExamples, !sequential, seed + 1);
                double seconds = (System.nanoTime() - t0) / 1e9;
                ObjectNode r = MethodReport.of(p, labels, po, method.ts());
                r.put("seconds", seconds);
                methodsNode.set(e.getKey(), r);
                probs.put(e.getKey(), p);
                System.err.printf("%s: %d samples in %.1f s%n", e.getKey(), method.thetas().size(), seconds);
                seed += 2;
            }
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve("report.json"), report.toPrettyString());
            writePredictions(out.resolve("predictions.jsonl"), examples, probs, json);
            JsonNode path = pathJson == null ? null : json.readTree(pathJson.toFile());
            ReportPage.write(out.resolve("report.html"), report, path);
            ReportPage.printTable(report);
            System.out.println("report: " + out.resolve("report.html"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<float[]> pointsAt(BezierCurve c, double[] ts) {
        List<float[]> out = new ArrayList<>();
        for (double t : ts) {
            out.add(c.at(t));
        }
        return out;
    }

    private static void writePredictions(Path file, List<Example> examples, Map<String, double[][][]> probs, ObjectMapper json) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < examples.size(); i++) {
            ObjectNode line = json.createObjectNode();
            line.put("id", examples.get(i).id());
            line.put("label", examples.get(i).label());
            ObjectNode p = line.putObject("probs");
            for (Map.Entry<String, double[][][]> e : probs.entrySet()) {
                var rows = p.putArray(e.getKey());
                for (double[][] sample : e.getValue()) {
                    var row = rows.addArray();
                    for (double x : sample[i]) {
                        row.add(x);
                    }
                }
            }
            sb.append(line).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

}
