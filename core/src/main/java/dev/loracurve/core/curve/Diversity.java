package dev.loracurve.core.curve;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.Violations;

/**
 * The diversity regulariser of a curve fit over M = points stratified t values, weight 0 = off:
 * <ul>
 *   <li>{@link Kind#JS}: loss = mean_m CE(p_m) − weight · JS, JS = H(mean_m p_m) − mean_m H(p_m)
 *       (the mutual information of their average): diversity of the predictions;</li>
 *   <li>{@link Kind#COSINE}: loss = mean_m CE(p_m) + weight · mean_{i<j} cos²(θ_i, θ_j), as
 *       learning-subspaces (Wortsman et al., 2021) does between a line's ends: diversity of the
 *       parameters, whatever the predictions.</li>
 * </ul>
 */
public record Diversity(double weight, int points, Kind kind) {
    public static final Diversity NONE = new Diversity(0, 0, Kind.JS);

    public enum Kind {
        JS("js"),
        COSINE("cosine");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Kind parse(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw InvalidConfigException.of("diversity.kind", "must be js or cosine, got '" + id + "'");
        }
    }

    public Diversity {
        Violations v = new Violations().nonNegative("weight", weight);
        v.require(weight == 0 || points >= 2, "points", "must be >= 2 to measure diversity, got " + points);
        v.throwIfAny();
    }

    public boolean active() {
        return weight > 0;
    }

    /**
     * Adds weight · ∂/∂θ_i of mean_{i<j} cos²(θ_i, θ_j) to grads[i]; returns that mean. With
     * c = cos(θ_i, θ_j): ∂c/∂θ_i = θ_j / (‖θ_i‖ ‖θ_j‖) − c θ_i / ‖θ_i‖², so ∂c²/∂θ_i = 2c ∂c/∂θ_i.
     */
    public static double cosineSquared(float[][] thetas, double weight, float[][] grads) {
        int m = thetas.length;
        double[] norms = new double[m];
        for (int i = 0; i < m; i++) {
            norms[i] = Math.sqrt(dot(thetas[i], thetas[i]));
        }
        int pairs = m * (m - 1) / 2;
        double total = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                double c = dot(thetas[i], thetas[j]) / (norms[i] * norms[j]);
                total += c * c / pairs;
                double f = weight * 2 * c / pairs;
                for (int k = 0; k < thetas[i].length; k++) {
                    grads[i][k] += (float)
                            (f * (thetas[j][k] / (norms[i] * norms[j]) - c * thetas[i][k] / (norms[i] * norms[i])));
                    grads[j][k] += (float)
                            (f * (thetas[i][k] / (norms[i] * norms[j]) - c * thetas[j][k] / (norms[j] * norms[j])));
                }
            }
        }
        return total;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (double) a[k] * b[k];
        }
        return s;
    }
}
