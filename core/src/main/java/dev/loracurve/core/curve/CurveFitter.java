package dev.loracurve.core.curve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.train.AdamW;
import dev.loracurve.core.train.Checkpoint;
import dev.loracurve.core.train.ClassifierObjective;
import dev.loracurve.core.train.DataOrder;
import dev.loracurve.core.train.Seeds;
import dev.loracurve.core.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fits a curve's free control points. Each step draws t (stratified when several), evaluates the
 * loss at θ_t = φ(t) (optionally perturbed, optionally with the JS term over several t), takes one
 * autograd gradient with respect to each θ_t and scatters it to the control points with their
 * Bernstein weights; pinned points get none and stay bit-identical. AdamW per point. Seeded and
 * resumable like the trainer: t draws, noise, data order and dropout are functions of the seed and
 * the step, and a checkpoint holds the points, the Adam moments and the step.
 */
public final class CurveFitter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Decoder decoder;
    private final CurveFitConfig config;
    private final LoraConfig lora;
    private final ClassifierObjective objective;

    public CurveFitter(Decoder decoder, NDManager manager, LoraConfig lora, CurveFitConfig config) {
        this.decoder = decoder;
        this.config = config;
        this.lora = lora;
        this.objective = new ClassifierObjective(decoder, manager, new LoraLayout(decoder.config(), lora));
    }

    /**
     * Fits {@code curve} in place and writes it to {@code out} (resuming from {@code out.checkpoint});
     * a finished curve folder is left as it is.
     */
    public void fit(
            BezierCurve curve,
            String variant,
            List<Example> train,
            long seed,
            Path out,
            String baseModel,
            ObjectNode extra,
            Trainer.Listener listener) {
        if (Files.exists(out.resolve(CurveFolder.FILE))) {
            return;
        }
        prepare(curve, train, seed);
        Path ckpt = Checkpoint.besides(out);
        int start = 0;
        ObjectNode metrics = JSON.createObjectNode();
        metrics.putArray("loss");
        metrics.putArray("js"); // the diversity term per step: JS, or mean cos² for the cosine term
        int count = curve.pointCount();
        if (Checkpoint.exists(ckpt)) {
            Checkpoint c = Checkpoint.read(ckpt);
            for (int i = 0; i < count; i++) {
                if (adam[i] != null) {
                    float[] saved = c.vectors().get("point-" + i);
                    if (saved == null || saved.length != curve.dimension()) {
                        throw new IllegalStateException(
                                ckpt + " does not hold free point " + i + " of this curve (" + curve.pointCount()
                                        + " points of " + curve.dimension() + "): remove it or use the same options");
                    }
                    System.arraycopy(saved, 0, curve.point(i), 0, curve.dimension());
                    adam[i].restore(
                            c.vectors().get("m-" + i),
                            c.vectors().get("v-" + i),
                            c.info().path("adam_t").asInt());
                }
            }
            start = c.info().path("step").asInt();
            metrics = (ObjectNode) c.info().get("metrics");
        }
        long t0 = System.nanoTime();
        long tokens = 0;
        for (int step = start; step < config.steps(); step++) {
            double[] lossJs = step(curve, step);
            tokens += (long) config.tPerStep() * config.batchSize() * meanPackedLength;
            ((ArrayNode) metrics.get("loss")).add(lossJs[0]);
            ((ArrayNode) metrics.get("js")).add(lossJs[1]);
            listener.onStep(step + 1, config.steps(), lossJs[0], tokens / ((System.nanoTime() - t0) / 1e9));
            if (step + 1 < config.steps()
                    && config.checkpointEvery() > 0
                    && (step + 1) % config.checkpointEvery() == 0) {
                Map<String, float[]> vectors = new LinkedHashMap<>();
                for (int i = 0; i < count; i++) {
                    if (adam[i] != null) {
                        vectors.put("point-" + i, curve.point(i));
                        vectors.put("m-" + i, adam[i].firstMoment());
                        vectors.put("v-" + i, adam[i].secondMoment());
                    }
                }
                ObjectNode info = JSON.createObjectNode();
                info.put("step", step + 1).put("adam_t", step + 1);
                info.set("metrics", metrics);
                new Checkpoint(vectors, info).write(ckpt);
                listener.onCheckpoint(ckpt);
            }
        }
        ObjectNode meta = extra == null ? JSON.createObjectNode() : extra.deepCopy();
        meta.set("training", JSON.valueToTree(config));
        meta.put("seed", seed);
        meta.set("metrics", metrics);
        CurveFolder.write(out, variant, curve, lora, baseModel, decoder.config(), meta);
        Checkpoint.delete(ckpt);
    }

    // per-fit state: one AdamW per free control point, the data order, the seed
    private AdamW[] adam;
    private DataOrder<Example> order;
    private long seed;
    private double meanPackedLength;

    private void prepare(BezierCurve curve, List<Example> train, long seed) {
        adam = new AdamW[curve.pointCount()];
        for (int i = 0; i < adam.length; i++) {
            adam[i] = curve.isPinned(i) ? null : config.optimizer().newAdamW(curve.dimension());
        }
        order = new DataOrder<>(train, seed);
        this.seed = seed;
        meanPackedLength =
                train.stream().mapToInt(Example::packedLength).average().orElse(0);
    }

    /** One fitting step with a fresh optimizer state on first use (benchmarks); returns {loss, JS}. */
    public double[] step(BezierCurve curve, List<Example> train, long step) {
        if (adam == null) {
            prepare(curve, train, 0);
        }
        return step(curve, (int) step);
    }

    private double[] step(BezierCurve curve, int step) {
        int k = config.tPerStep();
        int dim = curve.dimension();
        List<Example> batch = order.batch((long) step * config.batchSize(), config.batchSize());
        double[] ts = stratified(k, Seeds.mix(seed, 0x4, step));
        float[][] thetas = new float[k][];
        float[][] grads = new float[k][dim];
        for (int i = 0; i < k; i++) {
            thetas[i] = curve.at(ts[i]);
        }
        float[][] evalAt = perturb(thetas, batch, seed, step);
        Engines.seed(Seeds.mix(seed, 0x2, step));
        double loss;
        double js = 0;
        Diversity diversity = config.diversity();
        if (diversity.active() && diversity.kind() == Diversity.Kind.JS) {
            double[] r = objective.gradientWithJs(evalAt, batch, config.dropout(), diversity.weight(), grads, 1f);
            loss = r[0];
            js = r[1];
        } else {
            loss = 0;
            for (int i = 0; i < k; i++) {
                loss += objective.gradient(evalAt[i], batch, config.dropout(), grads[i], 1f / k) / k;
            }
            if (diversity.active()) { // cosine: on the curve's points themselves, not their perturbations
                js = Diversity.cosineSquared(thetas, diversity.weight(), grads);
            }
        }
        float[][] pointGrads = new float[curve.pointCount()][dim];
        for (int i = 0; i < k; i++) {
            if (config.optimizer().l2Decay() > 0) {
                float wd = (float) (config.optimizer().l2Decay() / k);
                for (int d = 0; d < dim; d++) {
                    grads[i][d] += wd * thetas[i][d]; // ∂/∂θ_t of (wd/2)||θ_t||²
                }
            }
            curve.scatter(ts[i], grads[i], pointGrads);
        }
        AdamW.clip(config.optimizer().clipNorm(), pointGrads);
        double lr = config.lrAt(Math.min(step, config.steps() - 1));
        for (int i = 0; i < adam.length; i++) {
            if (adam[i] != null) {
                adam[i].step(curve.point(i), pointGrads[i], lr);
            }
        }
        return new double[] {loss, js};
    }

    /** k stratified values t_i = (i + U_i) / k. */
    static double[] stratified(int k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] t = new double[k];
        for (int i = 0; i < k; i++) {
            t[i] = Math.min(1.0, (i + rng.nextDouble()) / k);
        }
        return t;
    }

    /** The points where the loss is taken: θ_t, θ_t + N(0, σ²), or θ_t + ρ g / ||g|| (SAM). */
    private float[][] perturb(float[][] thetas, List<Example> batch, long seed, int step) {
        Perturbation perturbation = config.perturbation();
        if (!perturbation.active()) {
            return thetas;
        }
        float[][] out = new float[thetas.length][];
        for (int i = 0; i < thetas.length; i++) {
            float[] p = thetas[i].clone();
            if (perturbation.kind() == Perturbation.Kind.GAUSSIAN) {
                SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 0x5, step, i));
                for (int d = 0; d < p.length; d++) {
                    p[d] += (float) (perturbation.scale() * rng.nextGaussian());
                }
            } else { // SAM: ascend to the worst point of the ρ-ball, to first order
                float[] g = new float[p.length];
                Engines.seed(Seeds.mix(seed, 0x6, step, i));
                objective.gradient(thetas[i], batch, config.dropout(), g, 1f);
                double norm = AdamW.norm(g);
                if (norm > 0) {
                    for (int d = 0; d < p.length; d++) {
                        p[d] += (float) (perturbation.scale() * g[d] / norm);
                    }
                }
            }
            out[i] = p;
        }
        return out;
    }
}
