package dev.loracurve.core.eval;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.curve.BezierCurve;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.curve.LossPlane;
import dev.loracurve.core.curve.PathProfile;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.posterior.Laplace;
import dev.loracurve.core.posterior.SwagMoments;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.ClassifierObjective;
import dev.loracurve.core.train.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * MAP, temperature scaling, Laplace, SWAG, ensemble, linear path, MC dropout and curve BMA scored
 * side by side on one code path;
 * writes report.json, predictions.jsonl and report.html into one folder, atomically.
 *
 * @param ood      out-of-distribution sets, each its own section of the report (none: empty)
 * @param pathJson a path.json to plot in the report, or null
 */
public record EvalJob(
        Path model,
        TaskData data,
        List<OodSet> ood,
        List<Path> anchors,
        List<Path> curves,
        EvalConfig config,
        Path pathJson) {

    /** Renders report.json (and the path profile, or null) as a page; the report module's ReportPage is one. */
    @FunctionalInterface
    public interface Page {
        Page NONE = (html, report, path) -> {};

        void write(Path html, JsonNode report, JsonNode path);
    }

    /**
     * A method: its samples (θ per sample), the LoRA layout of each (one for all when they share
     * it), whether dropout is on, the t of each sample, and the methods whose samples it is made of
     * (the ensemble's MAP members: their scores are reused when they were scored), and what is
     * fitted when it is run (a temperature on the validation split; Laplace's posterior around its
     * one θ, whose linearised predictive then scores the items).
     */
    private record Method(
            List<float[]> thetas, List<LoraConfig> loras, boolean dropout, double[] ts, List<String> members, Fit fit) {
        Method(List<float[]> thetas, boolean dropout, double[] ts, LoraConfig lora) {
            this(thetas, List.of(lora), dropout, ts, List.of(), Fit.NONE);
        }

        boolean oneLayout() {
            return loras.stream().distinct().count() == 1;
        }
    }

    private enum Fit {
        NONE,
        TEMPERATURE,
        LAPLACE
    }

    private static final long SWAG_SEED = 0x5A6;
    private static final long LAPLACE_SEED = 0x1A9;
    /** Draws per item when Laplace's prior precision is chosen on the validation split. */
    private static final int VALIDATION_DRAWS = 32;

    public EvalJob {
        ood = ood == null ? List.of() : List.copyOf(ood);
        anchors = List.copyOf(anchors);
        curves = List.copyOf(curves);
    }

    /**
     * Writes the report folder (report.json, predictions.jsonl and, through {@code page},
     * report.html); {@code onMethod} hears each method's name and seconds. Returns report.json's tree.
     */
    public JsonNode run(Path out, BiConsumer<String, Double> onMethod, Page page) {
        ModelConfig modelConfig = ModelConfig.load(model);
        Map<String, Method> plan = plan(modelConfig);
        CurveFolder planeCurve = null;
        if (config.planeGrid() > 0) { // refused before anything is scored
            if (curves.isEmpty()) {
                throw new IllegalArgumentException("the loss plane needs a curve");
            }
            planeCurve = CurveFolder.read(curves.get(0), modelConfig);
            if (planeCurve.curve().junctions().size() < 3) {
                throw new IllegalArgumentException("the loss plane needs a curve through at least 3 optima; "
                        + curves.get(0).getFileName() + " has "
                        + planeCurve.curve().junctions().size() + " junctions");
            }
        }
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m);
                TextTokenizer tok = TextTokenizer.load(model)) {
            PromptEncoder enc = new PromptEncoder(tok, data.maxLength());
            List<Example> examples = enc.encode(data.test());
            Map<OodSet, List<Example>> oodExamples = new LinkedHashMap<>();
            for (OodSet set : ood) {
                // another benchmark's prompts may need more room than this task's
                oodExamples.put(set, new PromptEncoder(tok, set.data().maxLength()).encode(set.items(data)));
            }
            // temperature is fitted on the validation split, and Laplace's prior precision chosen there
            List<Example> fitExamples =
                    config.methods().contains("temperature") || config.methods().contains("laplace")
                            ? enc.encode(data.validation())
                            : List.of();
            if (config.methods().contains("temperature") && fitExamples.isEmpty()) {
                // before anything is scored
                throw new IllegalArgumentException("temperature: no validation items to fit it on (the task's"
                        + " validation split is empty or not named)");
            }
            int[] labels = examples.stream().mapToInt(Example::label).toArray();
            ObjectMapper json = new ObjectMapper();
            ObjectNode report = json.createObjectNode();
            report.put("task", data.task().name())
                    .put("split", data.testSplit().name())
                    .put("items", examples.size())
                    .put("samples", config.samples())
                    .put("batched", !config.sequential());
            if (!ood.isEmpty()) {
                ObjectNode sets = report.putObject("ood");
                for (OodSet set : ood) {
                    sets.putObject(set.name())
                            .put("protocol", set.protocol().key())
                            .put("task", set.data().task().name())
                            .put(
                                    "source",
                                    set.data().data().getFileName() + "/"
                                            + set.data().testSplit().name())
                            .put("items", oodExamples.get(set).size());
                }
            }
            ObjectNode methodsNode = report.putObject("methods");
            Map<String, double[][][]> probs = new LinkedHashMap<>();
            Map<OodSet, Map<String, double[][][]>> oodProbs = new LinkedHashMap<>();
            ood.forEach(set -> oodProbs.put(set, new LinkedHashMap<>()));
            long seed = 0;
            List<Example> fisherExamples = config.methods().contains("laplace")
                    ? enc.encode(TaskData.limit(data.train(), config.fisherItems()))
                    : List.of();
            int trainItems = fisherExamples.isEmpty() ? 0 : data.train().size();
            for (Map.Entry<String, Method> e : plan.entrySet()) {
                Method method = e.getValue();
                long t0 = System.nanoTime();
                double priorPrecision = Double.NaN;
                double evidencePrecision = Double.NaN;
                double[][][] p;
                Map<OodSet, double[][][]> po = new LinkedHashMap<>();
                if (method.fit() == Fit.LAPLACE) {
                    float[] map = method.thetas().get(0);
                    ClassifierObjective objective = new ClassifierObjective(
                            decoder,
                            m,
                            new LoraLayout(modelConfig, method.loras().get(0)));
                    float[] fisher = Laplace.fisherDiagonal(objective, map, fisherExamples, trainItems);
                    evidencePrecision = Laplace.priorPrecision(map, fisher);
                    priorPrecision = evidencePrecision;
                    long laplaceSeed = Seeds.mix(LAPLACE_SEED, seed);
                    if (!fitExamples.isEmpty()) { // else the evidence's λ
                        double[] grid = Laplace.precisionGrid(evidencePrecision);
                        double[] nll = Laplace.validationNll(
                                objective, map, fisher, grid, fitExamples, VALIDATION_DRAWS, laplaceSeed + 2);
                        int best = 0;
                        for (int g = 1; g < grid.length; g++) {
                            best = nll[g] < nll[best] ? g : best;
                        }
                        priorPrecision = grid[best];
                    }
                    float[] variance = Laplace.posteriorVariance(fisher, priorPrecision);
                    p = Laplace.linearisedPredictive(objective, map, variance, examples, config.samples(), laplaceSeed);
                    for (OodSet set : ood) {
                        po.put(
                                set,
                                Laplace.linearisedPredictive(
                                        objective,
                                        map,
                                        variance,
                                        oodExamples.get(set),
                                        config.samples(),
                                        laplaceSeed + 1));
                    }
                } else if (!method.members().isEmpty() && probs.keySet().containsAll(method.members())) {
                    p = samplesOf(method.members(), probs); // the MAP members' scores, not scored again
                    for (OodSet set : ood) {
                        po.put(set, samplesOf(method.members(), oodProbs.get(set)));
                    }
                } else {
                    p = score(decoder, m, modelConfig, method, examples, seed);
                    for (OodSet set : ood) {
                        po.put(set, score(decoder, m, modelConfig, method, oodExamples.get(set), seed + 1));
                    }
                }
                double temperature = Double.NaN;
                if (method.fit() == Fit.TEMPERATURE) {
                    double[][] fit = score(decoder, m, modelConfig, method, fitExamples, seed)[0];
                    double fitted = Temperature.fit(
                            fit, fitExamples.stream().mapToInt(Example::label).toArray());
                    p = Temperature.apply(p, fitted);
                    po.replaceAll((set, q) -> Temperature.apply(q, fitted));
                    temperature = fitted;
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                ObjectNode r = MethodReport.of(p, labels, method.ts());
                if (method.fit() == Fit.TEMPERATURE) {
                    r.put("temperature", temperature).put("fit_items", fitExamples.size());
                }
                if (method.fit() == Fit.LAPLACE) {
                    r.put("prior_precision", priorPrecision)
                            .put("prior_precision_evidence", evidencePrecision)
                            .put("prior_precision_by", fitExamples.isEmpty() ? "marginal_likelihood" : "validation")
                            .put("fisher_items", fisherExamples.size())
                            .put("fit_items", fitExamples.size());
                }
                if (!ood.isEmpty()) {
                    ObjectNode sections = r.putObject("ood");
                    for (OodSet set : ood) {
                        int[] oodLabels = oodExamples.get(set).stream()
                                .mapToInt(Example::label)
                                .toArray();
                        sections.set(set.name(), MethodReport.ood(p, po.get(set), oodLabels));
                        oodProbs.get(set).put(e.getKey(), po.get(set));
                    }
                }
                methodsNode.set(e.getKey(), r);
                probs.put(e.getKey(), p);
                onMethod.accept(e.getKey(), seconds);
                seed += 2;
            }
            JsonNode path;
            if (config.pathGrid() > 0 && !curves.isEmpty()) {
                List<Example> train = enc.encode(TaskData.limit(data.train(), 1000));
                ObjectNode profile = PathProfile.compute(
                        decoder,
                        m,
                        CurveFolder.read(curves.get(0), modelConfig),
                        train,
                        examples,
                        config.pathGrid(),
                        config.batchSize(),
                        256,
                        done -> {});
                profile.put("task", data.task().name());
                report.set("path", profile);
                path = profile;
            } else {
                path = pathJson == null ? null : json.readTree(pathJson.toFile());
            }
            if (planeCurve != null) {
                List<Example> train = enc.encode(TaskData.limit(data.train(), 500));
                report.set(
                        "plane",
                        LossPlane.compute(decoder, m, planeCurve, train, config.planeGrid(), config.batchSize()));
            }
            AtomicFiles.writeDirectory(out, dir -> {
                Files.writeString(dir.resolve("report.json"), report.toPrettyString());
                Files.writeString(dir.resolve("predictions.jsonl"), predictions(examples, probs, json));
                page.write(dir.resolve("report.html"), report, path);
            });
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Method> plan(ModelConfig modelConfig) {
        // read one by one: the members of an ensemble may differ in rank and targets
        List<PeftAdapter> adapters = new ArrayList<>();
        for (Path a : anchors) {
            adapters.add(PeftAdapter.read(a, modelConfig));
        }
        List<float[]> optima = adapters.stream().map(PeftAdapter::theta).toList();
        List<LoraConfig> layouts =
                adapters.stream().map(a -> a.config().withDropout(0)).toList();
        LoraConfig lora = adapters.isEmpty() ? null : adapters.get(0).config();
        int samples = config.samples();
        double[] ts = new double[samples];
        SplittableRandom rng = config.randomT() == null ? null : new SplittableRandom(config.randomT());
        for (int m = 0; m < samples; m++) {
            ts[m] = rng == null ? (m + 0.5) / samples : rng.nextDouble();
        }
        Map<String, Method> plan = new LinkedHashMap<>();
        for (String method : config.methods()) {
            switch (method.trim()) {
                case "map" -> {
                    for (int i = 0; i < optima.size(); i++) {
                        plan.put(
                                "map-" + i,
                                new Method(
                                        List.of(optima.get(i)),
                                        false,
                                        null,
                                        adapters.get(i).config()));
                    }
                }
                case "temperature" -> {
                    // each MAP model with its temperature fitted on the validation split
                    for (int i = 0; i < optima.size(); i++) {
                        plan.put(
                                "temperature-" + i,
                                new Method(
                                        List.of(optima.get(i)),
                                        List.of(adapters.get(i).config()),
                                        false,
                                        null,
                                        List.of("map-" + i),
                                        Fit.TEMPERATURE));
                    }
                }
                case "laplace" -> {
                    // each MAP optimum's Laplace posterior, fitted when the job runs (it needs the model)
                    for (int i = 0; i < optima.size(); i++) {
                        plan.put(
                                "laplace-" + i,
                                new Method(
                                        List.of(optima.get(i)),
                                        List.of(layouts.get(i)),
                                        false,
                                        null,
                                        List.of(),
                                        Fit.LAPLACE));
                    }
                }
                case "swag" -> {
                    // each run's SWAG posterior, from the moments its trainer recorded
                    for (int i = 0; i < optima.size(); i++) {
                        List<float[]> draws = SwagMoments.read(anchors.get(i), optima.get(i).length)
                                .sample(samples, Seeds.mix(SWAG_SEED, i));
                        plan.put("swag-" + i, new Method(draws, false, null, layouts.get(i)));
                    }
                }
                case "ensemble" -> {
                    if (optima.size() >= 2) {
                        List<String> members = new ArrayList<>();
                        for (int i = 0; i < optima.size(); i++) {
                            members.add("map-" + i);
                        }
                        plan.put("ensemble", new Method(optima, layouts, false, null, members, Fit.NONE));
                    }
                }
                case "linear" -> {
                    if (optima.size() >= 2) {
                        PeftAdapter.readAll(anchors, modelConfig); // a path between optima needs one layout
                        BezierCurve line = BezierCurve.anchored(optima, 1, 0, 0); // degree 1: the straight segments
                        plan.put("linear", new Method(pointsAt(line, ts), false, ts, lora));
                    }
                }
                case "mcdropout" -> {
                    if (!optima.isEmpty()) {
                        plan.put(
                                "mcdropout",
                                new Method(
                                        SampleScorer.copies(optima.get(0), samples),
                                        true,
                                        null,
                                        lora.withDropout(config.mcDropout())));
                    }
                }
                default -> { // curve
                    for (Path c : curves) {
                        CurveFolder f = CurveFolder.read(c, modelConfig);
                        plan.put("curve-" + c.getFileName(), new Method(pointsAt(f.curve(), ts), false, ts, f.lora()));
                    }
                }
            }
        }
        if (plan.isEmpty()) {
            throw new IllegalArgumentException(
                    "nothing to evaluate: give anchors and/or curves for the chosen methods");
        }
        return plan;
    }

    /**
     * Scores a method's samples: in one batched pass when they share a layout (and the config
     * batches), else one pass per sample, each with its own layout.
     */
    private double[][][] score(
            Decoder decoder, NDManager m, ModelConfig modelConfig, Method method, List<Example> items, long seed) {
        if (method.oneLayout()) {
            return new SampleScorer(
                            decoder,
                            m,
                            new LoraLayout(modelConfig, method.loras().get(0)),
                            config.batchSize())
                    .score(method.thetas(), method.dropout(), items, !config.sequential(), seed);
        }
        double[][][] out = new double[method.thetas().size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new SampleScorer(
                            decoder,
                            m,
                            new LoraLayout(modelConfig, method.loras().get(i)),
                            config.batchSize())
                    .score(List.of(method.thetas().get(i)), method.dropout(), items, !config.sequential(), seed)[0];
        }
        return out;
    }

    /** The samples of several scored methods, one after another (an ensemble of MAP members). */
    private static double[][][] samplesOf(List<String> members, Map<String, double[][][]> scored) {
        List<double[][]> samples = new ArrayList<>();
        for (String member : members) {
            samples.addAll(List.of(scored.get(member)));
        }
        return samples.toArray(new double[0][][]);
    }

    private static List<float[]> pointsAt(BezierCurve c, double[] ts) {
        List<float[]> out = new ArrayList<>();
        for (double t : ts) {
            out.add(c.at(t));
        }
        return out;
    }

    private static String predictions(List<Example> examples, Map<String, double[][][]> probs, ObjectMapper json) {
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
        return sb.toString();
    }
}
