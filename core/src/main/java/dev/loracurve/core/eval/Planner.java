package dev.loracurve.core.eval;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.curve.BezierCurve;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.posterior.SwagMoments;
import dev.loracurve.core.train.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * Turns the chosen methods into named plans ("map-0", "ensemble", "curve-NAME", …) from the
 * optima (anchors) and fitted curves; a method with nothing to work on plans nothing.
 */
final class Planner {
    /** One method's planning: adds its named plans. */
    interface Step extends BiConsumer<Planner, Map<String, Plan>> {}

    private static final long SWAG_SEED = 0x5A6;

    private final List<Path> anchors;
    private final List<PeftAdapter> adapters;
    private final List<Path> curves;
    private final ModelConfig modelConfig;
    private final EvalConfig config;
    private final double[] ts;

    private Planner(List<Path> anchors, List<Path> curves, ModelConfig modelConfig, EvalConfig config) {
        this.anchors = anchors;
        this.curves = curves;
        this.modelConfig = modelConfig;
        this.config = config;
        // read one by one: the members of an ensemble may differ in rank and targets
        this.adapters =
                anchors.stream().map(a -> PeftAdapter.read(a, modelConfig)).toList();
        this.ts = sampleTs(config);
    }

    static Map<String, Plan> plan(List<Path> anchors, List<Path> curves, ModelConfig modelConfig, EvalConfig config) {
        Planner p = new Planner(anchors, curves, modelConfig, config);
        Map<String, Plan> plans = new LinkedHashMap<>();
        config.methods().forEach(m -> m.planner().accept(p, plans));
        if (plans.isEmpty()) {
            throw InvalidConfigException.of(
                    "methods", ": nothing to evaluate: give anchors and/or curves for the chosen methods");
        }
        return plans;
    }

    /**
     * Each plan's seed: twice its place in the plan order (its OOD sets draw with seed + 1). Eval
     * and predictions both take it from here, so MC dropout draws the same masks in each.
     */
    static Map<String, Long> seeds(Map<String, Plan> plans) {
        Map<String, Long> seeds = new LinkedHashMap<>();
        long seed = 0;
        for (String name : plans.keySet()) {
            seeds.put(name, seed);
            seed += 2;
        }
        return seeds;
    }

    /** t_m = (m + 0.5) / M, or M draws of U(0, 1) when the config seeds them. */
    static double[] sampleTs(EvalConfig config) {
        int samples = config.samples();
        double[] ts = new double[samples];
        SplittableRandom rng = config.randomT() == null ? null : new SplittableRandom(config.randomT());
        for (int m = 0; m < samples; m++) {
            ts[m] = rng == null ? (m + 0.5) / samples : rng.nextDouble();
        }
        return ts;
    }

    private float[] optimum(int i) {
        return adapters.get(i).theta();
    }

    /** Optimum i's layout without dropout: its samples are scored deterministically. */
    private LoraConfig layout(int i) {
        return adapters.get(i).config().withDropout(0);
    }

    void map(Map<String, Plan> out) {
        for (int i = 0; i < adapters.size(); i++) {
            out.put("map-" + i, Plan.Points.one(optimum(i), adapters.get(i).config()));
        }
    }

    void temperature(Map<String, Plan> out) {
        for (int i = 0; i < adapters.size(); i++) {
            out.put(
                    "temperature-" + i,
                    new Plan.Tempered("map-" + i, optimum(i), adapters.get(i).config()));
        }
    }

    void laplace(Map<String, Plan> out) {
        for (int i = 0; i < adapters.size(); i++) {
            out.put("laplace-" + i, new Plan.LaplaceFit(optimum(i), layout(i)));
        }
    }

    void swag(Map<String, Plan> out) {
        for (int i = 0; i < adapters.size(); i++) {
            List<float[]> draws = SwagMoments.read(anchors.get(i), optimum(i).length)
                    .sample(config.samples(), Seeds.mix(SWAG_SEED, i));
            out.put("swag-" + i, new Plan.Points(draws, layout(i), false, null));
        }
    }

    void ensemble(Map<String, Plan> out) {
        if (adapters.size() >= 2) {
            List<String> members = new ArrayList<>();
            List<LoraConfig> layouts = new ArrayList<>();
            for (int i = 0; i < adapters.size(); i++) {
                members.add("map-" + i);
                layouts.add(layout(i));
            }
            out.put(
                    "ensemble",
                    new Plan.Members(
                            members, adapters.stream().map(PeftAdapter::theta).toList(), layouts));
        }
    }

    void linear(Map<String, Plan> out) {
        if (adapters.size() >= 2) {
            PeftAdapter.readAll(anchors, modelConfig); // a path between optima needs one layout
            List<float[]> optima = adapters.stream().map(PeftAdapter::theta).toList();
            BezierCurve line = BezierCurve.anchored(optima, 1, 0, 0); // degree 1: the straight segments
            out.put("linear", new Plan.Points(pointsAt(line), adapters.get(0).config(), false, ts));
        }
    }

    void mcDropout(Map<String, Plan> out) {
        if (!adapters.isEmpty()) {
            LoraConfig lora = adapters.get(0).config().withDropout(config.mcDropout());
            out.put("mcdropout", new Plan.Points(SampleScorer.copies(optimum(0), config.samples()), lora, true, null));
        }
    }

    void curves(Map<String, Plan> out) {
        for (Path c : curves) {
            CurveFolder f = CurveFolder.read(c, modelConfig);
            out.put("curve-" + c.getFileName(), new Plan.Points(pointsAt(f.curve()), f.lora(), false, ts));
        }
    }

    private List<float[]> pointsAt(BezierCurve c) {
        List<float[]> points = new ArrayList<>();
        for (double t : ts) {
            points.add(c.at(t));
        }
        return points;
    }
}
