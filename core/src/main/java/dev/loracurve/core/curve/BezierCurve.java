package dev.loracurve.core.curve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A segmented Bézier curve in LoRA space: S segments of degree n, control points P_{s,0..n} (each
 * a flat θ) with shared junctions P_{s,n} = P_{s+1,0}, so S·n + 1 distinct points, point i = s·n + j.
 * For t in [0, 1]: s = min(floor(t·S), S - 1), u = t·S - s (t = 1 belongs to the last segment) and
 * φ(t) = Σ_j C(n, j) u^j (1 - u)^(n - j) P_{s,j}. Because φ is linear in the control points, a
 * gradient at φ(t) reaches point i multiplied by its weight (see {@link #weights}).
 */
public final class BezierCurve {
    private final int segments;
    private final int degree;
    private final float[][] points;
    private final boolean[] pinned;

    public BezierCurve(int segments, int degree, float[][] points, boolean[] pinned) {
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be at least 1, got " + segments);
        }
        if (degree < 1) {
            throw new IllegalArgumentException("degree must be at least 1, got " + degree);
        }
        if (points.length != segments * degree + 1 || pinned.length != points.length) {
            throw new IllegalArgumentException("a curve of " + segments + " segments of degree " + degree + " has "
                    + (segments * degree + 1) + " control points, got " + points.length);
        }
        for (float[] p : points) {
            if (p.length != points[0].length) {
                throw new IllegalArgumentException(
                        "control points differ in size: " + p.length + " vs " + points[0].length);
            }
        }
        this.segments = segments;
        this.degree = degree;
        this.points = points;
        this.pinned = pinned.clone();
    }

    /**
     * The anchored variant: the curve passes through the optima in the given order (S = K - 1),
     * junctions pinned; interior points on the straight segment between their ends, plus
     * N(0, noise²) when noise > 0.
     */
    public static BezierCurve anchored(List<float[]> optima, int degree, double noise, long seed) {
        if (optima.size() < 2) {
            throw new IllegalArgumentException("an anchored curve needs at least 2 optima, got " + optima.size());
        }
        int s = optima.size() - 1;
        float[][] pts = new float[s * degree + 1][];
        boolean[] pin = new boolean[pts.length];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int seg = 0; seg < s; seg++) {
            float[] a = optima.get(seg);
            float[] b = optima.get(seg + 1);
            for (int j = 0; j < degree; j++) {
                int i = seg * degree + j;
                if (j == 0) {
                    pts[i] = a.clone();
                    pin[i] = true;
                } else {
                    pts[i] = lerp(a, b, (double) j / degree);
                    if (noise > 0) {
                        for (int k = 0; k < pts[i].length; k++) {
                            pts[i][k] += (float) (noise * rng.nextGaussian());
                        }
                    }
                }
            }
        }
        pts[pts.length - 1] = optima.get(s).clone();
        pin[pts.length - 1] = true;
        return new BezierCurve(s, degree, pts, pin);
    }

    /** The free variant: every control point trained, starting from the given points. */
    public static BezierCurve free(int segments, int degree, List<float[]> initialPoints) {
        return new BezierCurve(
                segments, degree, initialPoints.toArray(float[][]::new), new boolean[initialPoints.size()]);
    }

    /** Greedy nearest-neighbour order: start at the first optimum, then always the closest unvisited one. */
    public static List<Integer> nearestNeighbourOrder(List<float[]> optima) {
        List<Integer> order = new ArrayList<>(List.of(0));
        boolean[] used = new boolean[optima.size()];
        used[0] = true;
        while (order.size() < optima.size()) {
            float[] last = optima.get(order.get(order.size() - 1));
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int i = 0; i < optima.size(); i++) {
                if (!used[i] && distance(last, optima.get(i)) < bestDist) {
                    best = i;
                    bestDist = distance(last, optima.get(i));
                }
            }
            used[best] = true;
            order.add(best);
        }
        return order;
    }

    public int segments() {
        return segments;
    }

    public int degree() {
        return degree;
    }

    public int pointCount() {
        return points.length;
    }

    public float[] point(int i) {
        return points[i];
    }

    public boolean isPinned(int i) {
        return pinned[i];
    }

    public int dimension() {
        return points[0].length;
    }

    /** The segment of t and its local coordinate u in [0, 1]. */
    public record Position(int segment, double u) {}

    public Position locate(double t) {
        return locate(segments, t);
    }

    static Position locate(int segments, double t) {
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("t must be in [0, 1], got " + t);
        }
        int s = Math.min((int) Math.floor(t * segments), segments - 1);
        return new Position(s, t * segments - s);
    }

    /** Bernstein basis b_{n,j}(u) = C(n, j) u^j (1 - u)^(n - j), j = 0..n. */
    public static double[] bernstein(int n, double u) {
        double[] b = new double[n + 1];
        for (int j = 0; j <= n; j++) {
            b[j] = binomial(n, j) * Math.pow(u, j) * Math.pow(1 - u, n - j);
        }
        return b;
    }

    static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }

    /** Weight of every control point in φ(t) (zero outside t's segment); they sum to 1. */
    public double[] weights(double t) {
        return weights(segments, degree, t);
    }

    /** The weights of the S·n + 1 control points of any curve with S segments of degree n. */
    public static double[] weights(int segments, int degree, double t) {
        Position p = locate(segments, t);
        double[] w = new double[segments * degree + 1];
        double[] b = bernstein(degree, p.u());
        for (int j = 0; j <= degree; j++) {
            w[p.segment() * degree + j] = b[j];
        }
        return w;
    }

    /** φ(t), accumulated in double. */
    public float[] at(double t) {
        return combine(weights(t));
    }

    /** dφ/dt = S · n Σ_j b_{n-1,j}(u) (P_{s,j+1} - P_{s,j}). */
    public float[] derivative(double t) {
        Position p = locate(t);
        double[] b = bernstein(degree - 1, p.u());
        double[] w = new double[points.length];
        for (int j = 0; j < degree; j++) {
            double c = segments * degree * b[j];
            w[p.segment() * degree + j] -= c;
            w[p.segment() * degree + j + 1] += c;
        }
        return combine(w);
    }

    /** Σ_i w_i P_i. */
    public float[] combine(double[] w) {
        double[] acc = new double[dimension()];
        for (int i = 0; i < points.length; i++) {
            if (w[i] != 0) {
                float[] p = points[i];
                for (int k = 0; k < acc.length; k++) {
                    acc[k] += w[i] * p[k];
                }
            }
        }
        float[] out = new float[acc.length];
        for (int k = 0; k < acc.length; k++) {
            out[k] = (float) acc[k];
        }
        return out;
    }

    /** Adds w_i(t) · g to grads[i] for every free control point: ∂L/∂P_i = w_i(t) ∂L/∂θ at θ = φ(t). */
    public void scatter(double t, float[] g, float[][] grads) {
        double[] w = weights(t);
        for (int i = 0; i < points.length; i++) {
            if (w[i] != 0 && !pinned[i]) {
                float wi = (float) w[i];
                for (int k = 0; k < g.length; k++) {
                    grads[i][k] += wi * g[k];
                }
            }
        }
    }

    /** max over consecutive control points of ||P_{i+1} - P_i||, times S · n: a bound on ||dφ/dt||. */
    public double speedBound() {
        double max = 0;
        for (int s = 0; s < segments; s++) {
            for (int j = 0; j < degree; j++) {
                max = Math.max(max, distance(points[s * degree + j], points[s * degree + j + 1]));
            }
        }
        return segments * degree * max;
    }

    /** The junction points P_{s,0} and the last point: the anchors of the straight path. */
    public List<float[]> junctions() {
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s <= segments; s++) {
            out.add(points[s * degree]);
        }
        return out;
    }

    public static float[] lerp(float[] a, float[] b, double u) {
        float[] out = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = (float) ((1 - u) * a[k] + u * b[k]);
        }
        return out;
    }

    public static double distance(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    @Override
    public String toString() {
        return "BezierCurve[S=" + segments + ", n=" + degree + ", P=" + dimension() + ", pinned="
                + Arrays.toString(pinned) + "]";
    }
}
