package dev.loracurve.core.curve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.InvalidConfigException.Violation;
import dev.loracurve.core.eval.SampleScorer;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.train.ClassifierObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Loss and accuracy along a curve and along the straight segments through its junctions, on a
 * train and a test split; per-segment barriers in two forms; and the Lipschitz report.
 * <ul>
 *   <li>Frankle barrier of a segment γ: max_t L(γ(t)) - (L(γ(0)) + L(γ(1))) / 2;</li>
 *   <li>interpolation barrier: max_t [L(γ(t)) - ((1 - u) L(γ(0)) + u L(γ(1)))];</li>
 *   <li>empirical Lipschitz constant: max_i |L(t_{i+1}) - L(t_i)| / (t_{i+1} - t_i) on the grid;</li>
 *   <li>bound: G · S · n · max ||P_{s,j+1} - P_{s,j}||, G the largest gradient norm on the grid.</li>
 * </ul>
 */
public final class PathProfile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PathProfile() {}

    /** Grid points scored together in one batched pass (per-sample LoRA). */
    private static final int POINTS_PER_PASS = 8;

    /**
     * Evaluates the grid; {@code progress} is told how many grid points are done. The gradient
     * norm G is taken on the first {@code gradientItems} training items (0 = all).
     */
    public static ObjectNode compute(
            Decoder decoder,
            NDManager manager,
            CurveFolder folder,
            List<Example> train,
            List<Example> test,
            int grid,
            int batchSize,
            int gradientItems,
            IntConsumer progress) {
        if (grid < 2) {
            throw new InvalidConfigException(List.of(new Violation("pathGrid", "must be at least 2, got " + grid)));
        }
        BezierCurve c = folder.curve();
        // the straight path through the same junctions: a degree-1 curve with the same S segments
        BezierCurve[] paths = {c, BezierCurve.anchored(c.junctions(), 1, 0, 0)};
        LoraLayout layout = new LoraLayout(decoder.config(), folder.lora());
        ClassifierObjective objective = new ClassifierObjective(decoder, manager, layout);
        SampleScorer scorer = new SampleScorer(decoder, manager, layout, batchSize);
        double[] ts = new double[grid];
        for (int i = 0; i < grid; i++) {
            ts[i] = (double) i / (grid - 1);
        }
        double[][] loss = new double[4][grid]; // curve-train, curve-test, line-train, line-test
        double[][] acc = new double[4][grid];
        List<List<Example>> splits = List.of(train, test);
        int runs = (train.isEmpty() ? 0 : 2) + (test.isEmpty() ? 0 : 2);
        int run = 0;
        for (int path = 0; path < 2; path++) {
            List<float[]> thetas = new ArrayList<>();
            for (double t : ts) {
                thetas.add(paths[path].at(t));
            }
            for (int split = 0; split < 2; split++) {
                if (splits.get(split).isEmpty()) {
                    continue;
                }
                int before = run++ * grid;
                double[][] scored = scorer.lossAndAccuracy(
                        thetas, splits.get(split), POINTS_PER_PASS, done -> progress.accept((before + done) / runs));
                for (int i = 0; i < grid; i++) {
                    loss[path * 2 + split][i] = scored[i][0];
                    acc[path * 2 + split][i] = scored[i][1];
                }
            }
        }
        // G: the largest gradient norm of the train loss along the curve
        List<Example> gradData =
                gradientItems > 0 && train.size() > gradientItems ? train.subList(0, gradientItems) : train;
        double maxGrad = 0;
        for (int i = 0; i < grid && !gradData.isEmpty(); i++) {
            float[] g = new float[layout.intSize()];
            float[] theta = c.at(ts[i]);
            for (int from = 0; from < gradData.size(); from += batchSize) {
                List<Example> b = gradData.subList(from, Math.min(gradData.size(), from + batchSize));
                objective.gradient(theta, b, false, g, (float) b.size() / gradData.size());
            }
            double n = 0;
            for (float x : g) {
                n += (double) x * x;
            }
            maxGrad = Math.max(maxGrad, Math.sqrt(n));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("variant", folder.variant())
                .put("segments", c.segments())
                .put("degree", c.degree())
                .put("grid", grid);
        out.put("train_items", train.size()).put("test_items", test.size()).put("gradient_items", gradData.size());
        ArrayNode points = out.putArray("points");
        String[] names = {"curve", "line"};
        for (int i = 0; i < grid; i++) {
            ObjectNode p = points.addObject();
            p.put("t", ts[i]);
            for (int path = 0; path < 2; path++) {
                ObjectNode q = p.putObject(names[path]);
                q.put("train_loss", loss[path * 2][i]).put("train_accuracy", acc[path * 2][i]);
                q.put("test_loss", loss[path * 2 + 1][i]).put("test_accuracy", acc[path * 2 + 1][i]);
            }
        }
        ArrayNode segs = out.putArray("segments_barriers");
        for (int s = 0; s < c.segments(); s++) {
            ObjectNode seg = segs.addObject();
            seg.put("segment", s);
            for (int path = 0; path < 2; path++) {
                for (int split = 0; split < 2; split++) {
                    double[] b = barriers(ts, loss[path * 2 + split], s, c.segments());
                    ObjectNode o = seg.with(names[path]).putObject(split == 0 ? "train" : "test");
                    o.put("frankle", b[0]).put("interpolation", b[1]);
                }
            }
        }
        ObjectNode lip = out.putObject("lipschitz");
        lip.put("empirical_train", empiricalLipschitz(ts, loss[0]));
        lip.put("empirical_test", empiricalLipschitz(ts, loss[1]));
        lip.put("speed_bound", c.speedBound());
        lip.put("max_gradient_norm", maxGrad);
        lip.put("bound", maxGrad * c.speedBound());
        return out;
    }

    /** {Frankle, interpolation} barrier of segment s from the grid values whose t lies in it. */
    static double[] barriers(double[] ts, double[] loss, int s, int segments) {
        double lo = (double) s / segments;
        double hi = (double) (s + 1) / segments;
        int first = -1;
        int last = -1;
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] >= lo - 1e-12 && ts[i] <= hi + 1e-12) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        double l0 = loss[first];
        double l1 = loss[last];
        double frankle = Double.NEGATIVE_INFINITY;
        double interp = Double.NEGATIVE_INFINITY;
        for (int i = first; i <= last; i++) {
            double u = (ts[i] - ts[first]) / (ts[last] - ts[first]);
            frankle = Math.max(frankle, loss[i] - (l0 + l1) / 2);
            interp = Math.max(interp, loss[i] - ((1 - u) * l0 + u * l1));
        }
        return new double[] {frankle, interp};
    }

    static double empiricalLipschitz(double[] ts, double[] loss) {
        double max = 0;
        for (int i = 0; i + 1 < ts.length; i++) {
            max = Math.max(max, Math.abs(loss[i + 1] - loss[i]) / (ts[i + 1] - ts[i]));
        }
        return max;
    }
}
