package dev.loracurve.core.eval;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.curve.LossPlane;
import dev.loracurve.core.curve.PathProfile;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * MAP, temperature scaling, Laplace, SWAG, ensemble, linear path, MC dropout and curve BMA scored
 * side by side on one code path ({@link EvalMethod} plans them, each {@link Plan} scores itself);
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

    /** Training items the loss path is profiled on (the first N). */
    public static final int PATH_TRAIN_ITEMS = 1000;
    /** Training items the path's gradient-norm bound is taken on. */
    public static final int PATH_GRADIENT_ITEMS = 256;
    /** Training items the loss plane is evaluated on. */
    public static final int PLANE_TRAIN_ITEMS = 500;

    /** Renders report.json (and the path profile, or null) as a page; the report module's ReportPage is one. */
    @FunctionalInterface
    public interface Page {
        Page NONE = (html, report, path) -> {};

        void write(Path html, JsonNode report, JsonNode path);
    }

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
        Map<String, Plan> plans = Planner.plan(anchors, curves, modelConfig, config);
        CurveFolder planeCurve = config.planeGrid() > 0 ? planeCurve(modelConfig) : null;
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m);
                TextTokenizer tok = TextTokenizer.load(model)) {
            PromptEncoder enc = new PromptEncoder(tok, data.maxLength());
            EvalContext ctx = context(decoder, m, modelConfig, tok, enc);
            EvalReport report = new EvalReport(data, ctx);
            Map<String, Long> seeds = Planner.seeds(plans);
            for (Map.Entry<String, Plan> e : plans.entrySet()) {
                long t0 = System.nanoTime();
                Scored s = e.getValue().score(ctx, seeds.get(e.getKey()));
                report.add(e.getKey(), e.getValue(), s);
                ctx.scored().put(e.getKey(), s);
                onMethod.accept(e.getKey(), (System.nanoTime() - t0) / 1e9);
            }
            JsonNode path = null;
            if (config.pathGrid() > 0 && !curves.isEmpty()) {
                ObjectNode profile = PathProfile.compute(
                        decoder,
                        m,
                        CurveFolder.read(curves.get(0), modelConfig),
                        enc.encode(TaskData.limit(data.train(), PATH_TRAIN_ITEMS)),
                        ctx.test(),
                        config.pathGrid(),
                        config.batchSize(),
                        PATH_GRADIENT_ITEMS,
                        done -> {});
                profile.put("task", data.task().name());
                report.set("path", profile);
                path = profile;
            } else if (pathJson != null) {
                path = new ObjectMapper().readTree(pathJson.toFile());
            }
            if (planeCurve != null) {
                List<Example> train = enc.encode(TaskData.limit(data.train(), PLANE_TRAIN_ITEMS));
                report.set(
                        "plane",
                        LossPlane.compute(decoder, m, planeCurve, train, config.planeGrid(), config.batchSize()));
            }
            report.write(out, page, path);
            return report.json();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The curve the loss plane is cut through, refused before anything is scored when there is none. */
    private CurveFolder planeCurve(ModelConfig modelConfig) {
        if (curves.isEmpty()) {
            throw InvalidConfigException.of("planeGrid", ": the loss plane needs a curve");
        }
        CurveFolder curve = CurveFolder.read(curves.get(0), modelConfig);
        int junctions = curve.curve().junctions().size();
        if (junctions < 3) {
            throw InvalidConfigException.of(
                    "planeGrid",
                    ": the loss plane needs a curve through at least 3 optima; "
                            + curves.get(0).getFileName() + " has " + junctions + " junctions");
        }
        return curve;
    }

    /** Encodes every split a plan reads: test, each OOD set, and validation and Fisher items when a method fits. */
    private EvalContext context(
            Decoder decoder, NDManager m, ModelConfig modelConfig, TextTokenizer tok, PromptEncoder enc) {
        List<Example> test = enc.encode(data.test());
        Map<OodSet, List<Example>> oodItems = new LinkedHashMap<>();
        for (OodSet set : ood) {
            // another benchmark's prompts may need more room than this task's
            oodItems.put(set, new PromptEncoder(tok, set.data().maxLength()).encode(set.items(data)));
        }
        boolean fits = config.methods().stream().anyMatch(EvalMethod::fitsOnValidation);
        List<Example> validation = fits ? enc.encode(data.validation()) : List.of();
        if (config.methods().contains(EvalMethod.TEMPERATURE) && validation.isEmpty()) {
            throw InvalidConfigException.of(
                    "methods",
                    ": temperature: no validation items to fit it on (the task's validation split is empty"
                            + " or not named)");
        }
        boolean laplace = config.methods().contains(EvalMethod.LAPLACE);
        List<Item> train = laplace ? data.train() : List.of(); // read once: the Fisher's items and their total
        List<Example> fisher = enc.encode(TaskData.limit(train, config.fisherItems()));
        int trainItems = train.size();
        return new EvalContext(
                decoder, m, modelConfig, config, test, oodItems, validation, fisher, trainItems, new LinkedHashMap<>());
    }
}
