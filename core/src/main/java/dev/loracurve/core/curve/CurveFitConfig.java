package dev.loracurve.core.curve;

import dev.loracurve.core.train.Schedule;

/**
 * How a curve is fitted.
 *
 * @param pointsPerStep t values per step, stratified t_i = (i + U_i) / k (ignored with JS: then jsPoints)
 * @param decayOn       "theta": L2 weight decay on θ_t (as dnn-mode-connectivity), or "points": decoupled
 *                      AdamW decay on the control points
 * @param perturbation  "none", "gaussian" (θ_t + N(0, σ²)) or "sam" (θ_t + ρ g / ||g||)
 * @param perturbScale  σ or ρ
 * @param jsLambda      weight of the Jensen–Shannon term (0 = off)
 * @param jsPoints      M_js >= 2 points per step when the JS term is on
 */
public record CurveFitConfig(
        int steps,
        int batchSize,
        double lr,
        int warmupSteps,
        String schedule,
        double weightDecay,
        String decayOn,
        double clipNorm,
        int pointsPerStep,
        String perturbation,
        double perturbScale,
        double jsLambda,
        int jsPoints,
        boolean dropout,
        int checkpointEvery,
        int maxLength) {
    public CurveFitConfig {
        require(steps > 0, "--steps", "must be positive");
        require(batchSize > 0, "--batch-size", "must be positive");
        require(lr > 0, "--lr", "must be positive");
        require(warmupSteps >= 0 && warmupSteps <= steps, "--warmup", "must be between 0 and --steps");
        require(Schedule.isKnown(schedule), "--schedule", "must be cosine, linear or constant");
        require(weightDecay >= 0, "--weight-decay", "must not be negative");
        require(decayOn.equals("theta") || decayOn.equals("points"), "--decay-on", "must be theta or points");
        require(clipNorm >= 0, "--clip-norm", "must not be negative");
        require(pointsPerStep >= 1, "--points-per-step", "must be at least 1");
        require(
                perturbation.equals("none") || perturbation.equals("gaussian") || perturbation.equals("sam"),
                "--perturb",
                "must be gaussian:SIGMA or sam:RHO");
        require(perturbScale >= 0, "--perturb", "scale must not be negative");
        require(jsLambda >= 0, "--js", "LAMBDA must not be negative");
        require(jsLambda == 0 || jsPoints >= 2, "--js", "M must be at least 2");
        require(checkpointEvery >= 0, "--checkpoint-every", "must not be negative");
    }

    private static void require(boolean ok, String option, String message) {
        if (!ok) {
            throw new IllegalArgumentException(option + " " + message);
        }
    }

    /** t values drawn per step. */
    public int tPerStep() {
        return jsLambda > 0 ? jsPoints : pointsPerStep;
    }

    /** Learning rate at optimizer step {@code step} (0-based). */
    public double lrAt(int step) {
        return Schedule.lr(lr, step, steps, warmupSteps, schedule);
    }
}
