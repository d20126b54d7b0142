package dev.loracurve.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Median seconds of a run within a time budget per measurement: every figure of the benchmarks is one. */
record Timing(double budgetSeconds) {
    /** Warm-ups (two when a run is short), then repetitions until the budget is spent (3 to 50). */
    double median(Runnable body) {
        long w0 = System.nanoTime();
        body.run();
        if (System.nanoTime() - w0 < 250_000_000L) {
            body.run();
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < 3 || (times.size() < 50 && (System.nanoTime() - start) / 1e9 < budgetSeconds)) {
            long t0 = System.nanoTime();
            body.run();
            times.add((System.nanoTime() - t0) / 1e9);
        }
        return median(times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The middle value (the upper one of an even count). */
    static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
