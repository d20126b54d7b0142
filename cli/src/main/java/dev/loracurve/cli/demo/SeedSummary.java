package dev.loracurve.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The demo's headline over several experiment seeds: mean ± sample standard deviation of each
 * method's metrics, the curve against the ensemble and against the straight line seed by seed,
 * and which of the method's claims hold in every seed.
 */
public final class SeedSummary {
    /** A table column: its header and where it is read in one method's section of report.json. */
    private record Column(String header, double scale, ToDoubleFunction<JsonNode> value) {}

    private static final List<Column> COLUMNS = List.of(
            new Column("ACC", 100, r -> r.path("accuracy").asDouble()),
            new Column("ECE", 100, r -> r.path("ece").asDouble()),
            new Column("MI", 1, r -> r.path("mutual_information").asDouble()),
            new Column("OOD ACC", 100, r -> ood(r).path("accuracy").asDouble()),
            new Column("OOD MI", 1, r -> ood(r).path("mutual_information").asDouble()),
            new Column("AUROC MI", 1, r -> ood(r).path("auroc_mi").asDouble()));

    private final List<JsonNode> reports;

    /** @param reports report.json of each seed's experiment, in seed order */
    public SeedSummary(List<JsonNode> reports) {
        this.reports = List.copyOf(reports);
    }

    private static JsonNode ood(JsonNode method) {
        var sections = method.path("ood").elements();
        return sections.hasNext() ? sections.next() : MissingNode.getInstance();
    }

    /** The methods' families: every MAP member counts as one draw of "map". */
    private static String family(String method) {
        return method.startsWith("map-") ? "map (each)" : method.startsWith("curve-") ? "curve" : method;
    }

    /** Per family, per column, one value per seed and member. */
    private Map<String, List<double[]>> values() {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        for (JsonNode report : reports) {
            report.path("methods").fields().forEachRemaining(e -> {
                double[] row = COLUMNS.stream()
                        .mapToDouble(c -> c.scale() * c.value().applyAsDouble(e.getValue()))
                        .toArray();
                out.computeIfAbsent(family(e.getKey()), k -> new ArrayList<>()).add(row);
            });
        }
        return out;
    }

    /** Mean ± sample standard deviation per method and metric. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format("%-12s", "method"));
        COLUMNS.forEach(c -> sb.append(String.format(" %17s", c.header())));
        sb.append('\n');
        values().forEach((family, rows) -> {
            sb.append(String.format("%-12s", family));
            for (int c = 0; c < COLUMNS.size(); c++) {
                double[] xs = column(rows, c);
                String digits = COLUMNS.get(c).scale() == 100 ? "%.1f" : "%.3f";
                sb.append(String.format(" %17s", String.format(digits + " ± " + digits, mean(xs), sd(xs))));
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    /**
     * The method's claims seed by seed: the curve against the ensemble (accuracy, calibration, MI in
     * and out of distribution, OOD AUROC) and the curve's loss barrier against the straight line's.
     */
    public String claims() {
        List<String> lines = new ArrayList<>();
        lines.add(
                claim("curve more accurate than the ensemble", r -> metric(r, "curve", 0) - metric(r, "ensemble", 0)));
        lines.add(claim(
                "curve better calibrated than the ensemble (ECE)",
                r -> metric(r, "ensemble", 1) - metric(r, "curve", 1)));
        lines.add(claim("curve MI above the ensemble's", r -> metric(r, "curve", 2) - metric(r, "ensemble", 2)));
        lines.add(claim("curve OOD MI above the ensemble's", r -> metric(r, "curve", 4) - metric(r, "ensemble", 4)));
        lines.add(claim("curve OOD AUROC above the ensemble's", r -> metric(r, "curve", 5) - metric(r, "ensemble", 5)));
        lines.add(claim(
                "curve's train barrier below the straight line's (mean over segments)",
                r -> barrier(r, "line") - barrier(r, "curve")));
        return String.join("\n", lines) + "\n";
    }

    private String claim(String what, ToDoubleFunction<JsonNode> margin) {
        double[] m = reports.stream().mapToDouble(margin).toArray();
        long held = Arrays.stream(m).filter(x -> x > 0).count();
        String verdict = held == m.length ? "holds in every seed" : held == 0 ? "fails in every seed" : "mixed";
        return String.format(
                "%-70s %d of %d seeds, margin %+.3f ± %.3f: %s", what, held, m.length, mean(m), sd(m), verdict);
    }

    private static double metric(JsonNode report, String family, int column) {
        var it = report.path("methods").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (family(e.getKey()).equals(family)) {
                return COLUMNS.get(column).scale() * COLUMNS.get(column).value().applyAsDouble(e.getValue());
            }
        }
        return Double.NaN;
    }

    /** The Frankle train barrier of a path, averaged over the curve's segments. */
    private static double barrier(JsonNode report, String path) {
        double sum = 0;
        int n = 0;
        for (JsonNode seg : report.path("path").path("segments_barriers")) {
            sum += seg.path(path).path("train").path("frankle").asDouble();
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }

    static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double sd(double[] xs) {
        if (xs.length < 2) {
            return 0;
        }
        double m = mean(xs);
        double s = 0;
        for (double x : xs) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (xs.length - 1));
    }
}
