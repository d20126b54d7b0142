package dev.loracurve.core.train;

/** Learning-rate schedules: linear warm-up to the peak, then cosine or linear decay to 0, or constant. */
public final class Schedule {
    private Schedule() {}

    public static boolean isKnown(String kind) {
        return kind.equals("cosine") || kind.equals("linear") || kind.equals("constant");
    }

    /** Learning rate at optimizer step {@code step} (0-based) of {@code steps}. */
    public static double lr(double peak, int step, int steps, int warmupSteps, String kind) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = steps == warmupSteps ? 1 : (double) (step - warmupSteps) / (steps - warmupSteps);
        return switch (kind) {
            case "cosine" -> peak * 0.5 * (1 + Math.cos(Math.PI * progress));
            case "linear" -> peak * (1 - progress);
            default -> peak;
        };
    }
}
