package dev.loracurve.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.core.store.JsonFiles;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of a profiled run goes, from libtorch's Chrome trace: each operator's self time
 * (its duration less the operators it called), summed by name, against the run's wall time. What
 * no operator accounts for is spent outside libtorch's operators: JNI crossings, DJL's Java side,
 * our own Java code.
 */
final class OpProfile {
    private OpProfile() {}

    /** One operator call: name, start and duration in µs, thread. */
    private record Call(String name, double start, double duration, long thread) {}

    /** The summary lines: the top operators by self time, then the time outside operators. */
    static List<String> summarize(Path trace, double wallSeconds, int top) {
        JsonNode root = JsonFiles.read(trace);
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        List<Call> calls = new ArrayList<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText()) && e.has("dur")) {
                calls.add(new Call(
                        e.path("name").asText(),
                        e.path("ts").asDouble(),
                        e.path("dur").asDouble(),
                        e.path("tid").asLong()));
            }
        }
        calls.sort(Comparator.comparingLong(Call::thread)
                .thenComparingDouble(Call::start)
                .thenComparing(Comparator.comparingDouble(Call::duration).reversed()));
        Map<String, double[]> byName = new HashMap<>(); // name -> {self µs, calls}
        double topLevel = 0;
        Deque<double[]> open = new ArrayDeque<>(); // calls still open: {end, index into self}
        double[] self = new double[calls.size()];
        long thread = Long.MIN_VALUE;
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            if (c.thread() != thread) {
                open.clear();
                thread = c.thread();
            }
            while (!open.isEmpty() && open.peek()[0] <= c.start()) {
                open.pop();
            }
            self[i] = c.duration();
            if (open.isEmpty()) {
                topLevel += c.duration();
            } else {
                self[(int) open.peek()[1]] -= c.duration();
            }
            open.push(new double[] {c.start() + c.duration(), i});
        }
        for (int i = 0; i < calls.size(); i++) {
            double[] v = byName.computeIfAbsent(calls.get(i).name(), k -> new double[2]);
            v[0] += self[i];
            v[1]++;
        }
        double wallUs = wallSeconds * 1e6;
        List<String> lines = new ArrayList<>();
        lines.add(String.format("  %-48s %7s %10s %7s", "operator (self time)", "calls", "ms", "% wall"));
        byName.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .limit(top)
                .forEach(e -> lines.add(String.format(
                        "  %-48s %7.0f %10.2f %6.1f%%",
                        abbreviate(e.getKey()),
                        e.getValue()[1],
                        e.getValue()[0] / 1e3,
                        100 * e.getValue()[0] / wallUs)));
        lines.add(String.format(
                "  %-48s %7d %10.2f %6.1f%%", "all operators", calls.size(), topLevel / 1e3, 100 * topLevel / wallUs));
        lines.add(String.format(
                "  %-48s %7s %10.2f %6.1f%%",
                "outside operators (JNI, DJL, Java)",
                "",
                (wallUs - topLevel) / 1e3,
                100 * (wallUs - topLevel) / wallUs));
        return lines;
    }

    private static String abbreviate(String name) {
        return name.length() <= 48 ? name : name.substring(0, 45) + "...";
    }
}
