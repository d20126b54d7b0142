package dev.loracurve.eval;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.eval.EvalConfig;
import dev.loracurve.core.eval.EvalMethod;
import dev.loracurve.core.eval.Prediction;
import dev.loracurve.core.eval.Predictor;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.ItemPrediction;
import dev.loracurve.proto.v1.PredictItem;
import dev.loracurve.proto.v1.PredictRequest;
import dev.loracurve.proto.v1.PredictResponse;
import dev.loracurve.proto.v1.SampleProbabilities;
import dev.loracurve.proto.v1.State;
import dev.loracurve.service.ExperimentRecords;
import dev.loracurve.service.FailedPreconditionException;
import dev.loracurve.service.InvalidSpecException;
import dev.loracurve.service.NotFoundException;
import dev.loracurve.service.Specs;
import dev.loracurve.service.StageRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.IntStream;

/**
 * Per-input predictions of finished experiments: checks the caller's request and team, keeps the
 * posteriors of the last few (experiment, M) pairs loaded (least recently used evicted; each holds
 * one copy of the base model, so the count bounds the memory), and scores a chunk of items.
 */
final class Predictions implements AutoCloseable {
    /** Items per Predict call, and per chunk of a PredictStream. */
    static final int MAX_ITEMS = 256;
    /** Characters per prompt and per choice: far beyond any max_length, short of a denial of service. */
    static final int MAX_CHARS = 100_000;

    private final StageRuntime rt;
    private final Specs specs;
    private final Map<String, Predictor> loaded;

    /** @param cached the posteriors kept loaded (LORACURVE_PREDICT_CACHE) */
    Predictions(StageRuntime rt, Specs specs, int cached) {
        this.rt = rt;
        this.specs = specs;
        this.loaded = new LinkedHashMap<>(4, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Predictor> eldest) {
                if (size() <= cached) {
                    return false;
                }
                eldest.getValue().close(); // after the calls already queued on it
                return true;
            }
        };
    }

    /** INVALID_ARGUMENT naming the field, before any model is touched. */
    static void check(PredictRequest r, int maxItems) {
        if (r.getExperimentId().isEmpty()) {
            throw new InvalidSpecException("experiment_id", "is required");
        }
        if (r.getMethod().isBlank()) {
            throw new InvalidSpecException("method", "is required (curve, ensemble, linear, mcdropout, swag, map, …)");
        }
        if (r.getSamples() < 0) {
            throw new InvalidSpecException("samples", "must be >= 0 (0: the spec's), got " + r.getSamples());
        }
        if (r.getItemsCount() == 0 || r.getItemsCount() > maxItems) {
            throw new InvalidSpecException("items", "must hold 1 to " + maxItems + " items, got " + r.getItemsCount());
        }
        for (int i = 0; i < r.getItemsCount(); i++) {
            PredictItem item = r.getItems(i);
            String field = "items[" + i + "]";
            if (item.getPrompt().isEmpty() || item.getPrompt().length() > MAX_CHARS) {
                throw new InvalidSpecException(field + ".prompt", "must hold 1 to " + MAX_CHARS + " characters");
            }
            if (item.getChoicesCount() < 2 || new HashSet<>(item.getChoicesList()).size() != item.getChoicesCount()) {
                throw new InvalidSpecException(field + ".choices", "must hold at least two different choices");
            }
            if (item.getChoicesList().stream().anyMatch(c -> c.isEmpty() || c.length() > MAX_CHARS)) {
                throw new InvalidSpecException(field + ".choices", "each must hold 1 to " + MAX_CHARS + " characters");
            }
        }
    }

    /**
     * The request's items in chunks of at most {@link #MAX_ITEMS}, each item with its id (its
     * index in the whole request when it had none): what PredictStream answers one by one.
     */
    static List<PredictRequest> chunks(PredictRequest r) {
        List<PredictRequest> out = new ArrayList<>();
        for (int from = 0; from < r.getItemsCount(); from += MAX_ITEMS) {
            PredictRequest.Builder chunk = r.toBuilder().clearItems();
            for (int i = from; i < Math.min(r.getItemsCount(), from + MAX_ITEMS); i++) {
                PredictItem item = r.getItems(i);
                chunk.addItems(
                        item.getId().isEmpty()
                                ? item.toBuilder().setId(String.valueOf(i)).build()
                                : item);
            }
            out.add(chunk.build());
        }
        return out;
    }

    /** The predictions of {@code team}'s experiment for the request's items. */
    PredictResponse predict(String team, PredictRequest r) {
        Experiment e = ExperimentRecords.find(rt.store, r.getExperimentId())
                .filter(x -> x.getTeam().equals(team)) // another team's is not found, as an unknown one
                .orElseThrow(() -> new NotFoundException("experiment", r.getExperimentId(), ""));
        if (e.getState() != State.SUCCEEDED) {
            throw new FailedPreconditionException(
                    "experiment " + e.getId() + " is " + e.getState() + ": predictions need one that succeeded");
        }
        List<Item> items = IntStream.range(0, r.getItemsCount())
                .mapToObj(i -> item(r.getItems(i), i))
                .toList();
        Predictor p = predictor(e, r.getSamples());
        String method;
        Prediction[] out;
        try {
            method = p.resolve(r.getMethod());
            out = p.predict(method, items, r.getIncludeSamples()); // queued on the posterior's own thread
        } catch (RejectedExecutionException evicted) { // closed by the cache while this call was on its way
            return predict(team, r);
        } catch (InvalidConfigException bad) {
            throw new InvalidSpecException("method", bad.violations().get(0).problem());
        } catch (IllegalArgumentException tooLong) { // an item the encoder cannot fit or tell apart
            throw new InvalidSpecException("items", ": " + tooLong.getMessage());
        }
        PredictResponse.Builder b =
                PredictResponse.newBuilder().setMethod(method).setSamples(samples(e.getSpec(), r.getSamples()));
        for (int i = 0; i < out.length; i++) {
            b.addPredictions(proto(out[i], items.get(i).id()));
        }
        return b.build();
    }

    private static int samples(ExperimentSpec spec, int asked) {
        return asked > 0 ? asked : Specs.evalConfig(spec).samples();
    }

    /** A client's item: its prompt read whole, its choices scored verbatim after it. */
    private static Item item(PredictItem p, int index) {
        String id = p.getId().isEmpty() ? String.valueOf(index) : p.getId();
        return new Item(id, "", p.getPrompt(), p.getChoicesList(), p.getChoicesList(), Item.NO_LABEL, p.getPrompt());
    }

    private static ItemPrediction proto(Prediction p, String id) {
        ItemPrediction.Builder b = ItemPrediction.newBuilder()
                .setId(id)
                .setChoice(p.choice())
                .setEntropy(p.entropy())
                .setExpectedEntropy(p.expectedEntropy())
                .setMutualInformation(p.mutualInformation());
        for (double x : p.probabilities()) {
            b.addProbabilities(x);
        }
        if (p.samples() != null) {
            for (double[] sample : p.samples()) {
                SampleProbabilities.Builder s = SampleProbabilities.newBuilder();
                for (double x : sample) {
                    s.addProbabilities(x);
                }
                b.addSamples(s);
            }
        }
        return b.build();
    }

    /** The experiment's posteriors at M samples, loaded on first use and kept. */
    private synchronized Predictor predictor(Experiment e, int asked) {
        int m = samples(e.getSpec(), asked);
        String key = e.getId() + "@" + m;
        Predictor p = loaded.get(key);
        if (p == null) {
            ExperimentSpec spec = e.getSpec();
            EvalConfig c = Specs.evalConfig(spec);
            List<EvalMethod> methods = new ArrayList<>(c.methods());
            if (!methods.contains(EvalMethod.MAP)) {
                methods.add(EvalMethod.MAP); // each optimum alone, after the spec's own (their seeds unchanged)
            }
            EvalConfig config = new EvalConfig(
                    methods, m, c.randomT(), c.mcDropout(), c.batchSize(), c.sequential(), 0, c.fisherItems(), 0);
            List<Path> anchors = rt.fetch(e.getOptimaList());
            List<Path> curves = e.hasCurve() ? rt.fetch(List.of(e.getCurve())) : List.of();
            p = Predictor.load(
                    specs.model(spec),
                    anchors,
                    curves,
                    config,
                    specs.taskData(spec).maxLength());
            loaded.put(key, p);
        }
        return p;
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(Predictor::close);
        loaded.clear();
    }
}
