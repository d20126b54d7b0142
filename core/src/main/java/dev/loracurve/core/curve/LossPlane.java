package dev.loracurve.core.curve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.eval.SampleScorer;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loss on the plane through three optima (Garipov et al., 2018, figure 1): an
 * orthonormal basis u, v of the plane through θ_0, θ_1, θ_2 by Gram–Schmidt, the loss on a grid
 * of points θ_0 + x u + y v around them, and the straight segments and the curve projected on it
 * (with the curve's largest distance from the plane, since it need not lie in it).
 */
public final class LossPlane {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int POINTS_PER_PASS = 8;
    private static final int CURVE_POINTS = 101;
    private static final double MARGIN = 0.2;

    /** An orthonormal basis of the plane through three points, and coordinates in it. */
    record Basis(float[] origin, double[] u, double[] v) {
        static Basis through(float[] a, float[] b, float[] c) {
            double[] u = minus(b, a);
            double nu = norm(u);
            double[] w = minus(c, a);
            if (nu == 0) {
                throw new IllegalArgumentException("loss plane: optima 0 and 1 are the same point");
            }
            scale(u, 1 / nu);
            double along = dot(w, u);
            for (int k = 0; k < w.length; k++) {
                w[k] -= along * u[k];
            }
            double nv = norm(w);
            if (nv < 1e-9 * nu) {
                throw new IllegalArgumentException("loss plane: optima 0, 1 and 2 are on one line");
            }
            scale(w, 1 / nv);
            return new Basis(a, u, w);
        }

        /** (x, y) of θ's projection, and its distance from the plane. */
        double[] project(float[] theta) {
            double[] d = minus(theta, origin);
            double x = dot(d, u);
            double y = dot(d, v);
            double off = 0;
            for (int k = 0; k < d.length; k++) {
                double r = d[k] - x * u[k] - y * v[k];
                off += r * r;
            }
            return new double[] {x, y, Math.sqrt(off)};
        }

        float[] at(double x, double y) {
            float[] out = new float[origin.length];
            for (int k = 0; k < out.length; k++) {
                out[k] = (float) (origin[k] + x * u[k] + y * v[k]);
            }
            return out;
        }
    }

    private LossPlane() {}

    /** The plane through the curve's first three junctions (its optima, for an anchored curve with K >= 3). */
    public static ObjectNode compute(
            Decoder decoder, NDManager manager, CurveFolder folder, List<Example> train, int grid, int batchSize) {
        BezierCurve c = folder.curve();
        List<float[]> junctions = c.junctions();
        if (junctions.size() < 3) {
            throw new IllegalArgumentException("loss plane: needs a curve through at least 3 optima, this one has "
                    + junctions.size() + " junctions");
        }
        if (grid < 2) {
            throw new IllegalArgumentException("loss plane: the grid needs at least 2 points a side, got " + grid);
        }
        Basis basis = Basis.through(junctions.get(0), junctions.get(1), junctions.get(2));
        ObjectNode out = JSON.createObjectNode();
        double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE};
        double offPlane = 0;
        ArrayNode curve = out.putArray("curve");
        for (int i = 0; i < CURVE_POINTS; i++) {
            double[] p = basis.project(c.at((double) i / (CURVE_POINTS - 1)));
            curve.addArray().add(p[0]).add(p[1]);
            offPlane = Math.max(offPlane, p[2]);
            extend(lo, hi, p);
        }
        ArrayNode optima = out.putArray("optima");
        for (float[] j : junctions) {
            double[] p = basis.project(j);
            optima.addArray().add(p[0]).add(p[1]);
            extend(lo, hi, p);
        }
        double[] xs = axis(lo[0], hi[0], grid);
        double[] ys = axis(lo[1], hi[1], grid);
        List<float[]> points = new ArrayList<>();
        for (double y : ys) {
            for (double x : xs) {
                points.add(basis.at(x, y));
            }
        }
        SampleScorer scorer =
                new SampleScorer(decoder, manager, new LoraLayout(decoder.config(), folder.lora()), batchSize);
        double[][] loss = scorer.lossAndAccuracy(points, train, POINTS_PER_PASS, done -> {});
        out.put("train_items", train.size()).put("grid", grid).put("curve_off_plane", offPlane);
        ArrayNode xNode = out.putArray("xs");
        for (double x : xs) {
            xNode.add(x);
        }
        ArrayNode yNode = out.putArray("ys");
        for (double y : ys) {
            yNode.add(y);
        }
        ArrayNode rows = out.putArray("loss"); // loss[iy][ix]
        for (int iy = 0; iy < grid; iy++) {
            ArrayNode row = rows.addArray();
            for (int ix = 0; ix < grid; ix++) {
                row.add(loss[iy * grid + ix][0]);
            }
        }
        return out;
    }

    private static void extend(double[] lo, double[] hi, double[] p) {
        for (int a = 0; a < 2; a++) {
            lo[a] = Math.min(lo[a], p[a]);
            hi[a] = Math.max(hi[a], p[a]);
        }
    }

    /** n evenly spaced values covering [lo, hi] and a margin on both sides. */
    static double[] axis(double lo, double hi, int n) {
        double pad = MARGIN * Math.max(hi - lo, 1e-6);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo - pad + (hi - lo + 2 * pad) * i / (n - 1);
        }
        return out;
    }

    private static double[] minus(float[] a, float[] b) {
        double[] out = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = (double) a[k] - b[k];
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void scale(double[] a, double f) {
        for (int k = 0; k < a.length; k++) {
            a[k] *= f;
        }
    }
}
