package dev.loracurve.core.eval;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.PromptEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * A finished experiment's posteriors kept loaded for per-input predictions: the base model, its
 * tokenizer and each method's samples, planned as {@link EvalJob} plans them, so that an input
 * scored here gets the numbers eval writes for it. Methods that fit on data when they are scored
 * (temperature, laplace) are not served. Calls from any thread run one at a time on the
 * predictor's own thread: libtorch keeps per-thread state, so scoring on every caller's thread
 * (a server's worker pool) would grow native memory with the number of threads.
 */
public final class Predictor implements AutoCloseable {
    private final NDManager manager;
    private final Decoder decoder;
    private final TextTokenizer tokenizer;
    private final PromptEncoder encoder;
    private final EvalConfig config;
    private final Map<String, Plan> plans;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "predictor");
        t.setDaemon(true);
        return t;
    });
    /** Each method's seed, as eval gives it ({@link Planner#seeds}). */
    private final Map<String, Long> seeds;

    private Predictor(
            NDManager manager,
            Decoder decoder,
            TextTokenizer tokenizer,
            int maxLength,
            EvalConfig config,
            Map<String, Plan> plans) {
        this.manager = manager;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.encoder = new PromptEncoder(tokenizer, maxLength);
        this.config = config;
        this.plans = plans;
        this.seeds = Planner.seeds(plans);
    }

    /**
     * Loads the model and plans the config's methods over the optima ({@code anchors}) and curves;
     * prompts longer than {@code maxLength} tokens are cut as eval cuts them.
     */
    public static Predictor load(Path model, List<Path> anchors, List<Path> curves, EvalConfig config, int maxLength) {
        ModelConfig modelConfig = ModelConfig.load(model);
        Map<String, Plan> plans = Planner.plan(anchors, curves, modelConfig, config);
        NDManager m = Engines.newManager();
        try {
            return new Predictor(m, Decoder.load(model, m), TextTokenizer.load(model), maxLength, config, plans);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The report names of the methods it serves ("map-0", "ensemble", "curve-curve", …). */
    public List<String> methods() {
        return plans.entrySet().stream()
                .filter(e -> served(e.getValue()))
                .map(Map.Entry::getKey)
                .toList();
    }

    private static boolean served(Plan p) {
        return p instanceof Plan.Points || p instanceof Plan.Members;
    }

    /**
     * The report name {@code method} means: a report name itself, or a method's key for its first
     * plan (curve → curve-NAME, map → map-0). A violation of {@code method} when it has none.
     */
    public String resolve(String method) {
        if (plans.containsKey(method) && served(plans.get(method))) {
            return method;
        }
        for (String name : methods()) {
            if (name.equals(method) || name.startsWith(method + "-")) {
                return name;
            }
        }
        throw InvalidConfigException.of(
                "method",
                ": '" + method + "' is not served for this experiment (served: " + String.join(", ", methods())
                        + "; temperature and laplace fit on data when eval runs and are not)");
    }

    /**
     * Predictions of {@code method} (see {@link #resolve}) on {@code items}, in order, computed on
     * the predictor's thread; {@link RejectedExecutionException} once it is closed.
     */
    public Prediction[] predict(String method, List<Item> items, boolean keepSamples) {
        String name = resolve(method);
        Future<Prediction[]> call = thread.submit(() -> score(name, items, keepSamples));
        try {
            return call.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while predicting");
        }
    }

    private Prediction[] score(String name, List<Item> items, boolean keepSamples) {
        List<Example> examples = encoder.encode(items);
        // every tensor of the call (the samples' LoRA factors, activations) on a manager of its own,
        // freed when the call returns: the posterior's manager holds only the model
        try (NDManager call = manager.newSubManager()) {
            EvalContext ctx = new EvalContext(
                    decoder, call, decoder.config(), config, examples, Map.of(), List.of(), List.of(), 0, Map.of());
            return Prediction.of(plans.get(name).score(ctx, seeds.get(name)).test(), keepSamples);
        }
    }

    /** After the calls already queued: frees the model and stops the thread; later calls are rejected. */
    @Override
    public void close() {
        thread.submit(() -> {
            tokenizer.close();
            decoder.close();
            manager.close();
        });
        thread.shutdown();
    }
}
