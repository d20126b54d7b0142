package dev.loracurve.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A study's tables in the layout of the Bayesian-LoRA papers: one table per metric, methods as
 * rows, tasks as columns, each cell the mean ± standard deviation over seeds (and over the K
 * optima for the per-optimum methods: map, temperature, laplace, swag), then the OOD tables with
 * a column per task and OOD set. Rendered as Markdown, CSV (one line per cell, with the values)
 * and HTML.
 */
public final class StudyTables {
    /**
     * One evaluated cell of the grid.
     *
     * @param ablation "" for the study's base settings, else the ablation's name
     * @param methods  the method families this cell adds rows for (empty: all of its report's)
     */
    public record Cell(String task, String ablation, long seed, JsonNode report, List<String> methods) {}

    /** A metric of report.json's method sections, with its title and display scale. */
    private record Metric(String key, String title, double scale, String format) {}

    private static final List<Metric> METRICS = List.of(
            new Metric("accuracy", "Accuracy (%)", 100, "%.1f"),
            new Metric("nll", "NLL (nats)", 1, "%.3f"),
            new Metric("ece", "ECE (%, 15 bins)", 100, "%.1f"),
            new Metric("brier", "Brier", 1, "%.3f"),
            new Metric("mutual_information", "Mutual information (nats)", 1, "%.4f"),
            new Metric("auroc_error_mi", "AUROC of MI for wrong answers", 1, "%.3f"));

    private static final List<Metric> OOD_METRICS = List.of(
            new Metric("auroc_mi", "OOD AUROC of MI", 1, "%.3f"),
            new Metric("auroc_entropy", "OOD AUROC of predictive entropy", 1, "%.3f"),
            new Metric("mutual_information", "OOD mutual information (nats)", 1, "%.4f"));

    /** metric title → row → column → values. */
    private final Map<String, Map<String, Map<String, List<Double>>>> tables = new LinkedHashMap<>();

    private final Map<String, String> formats = new LinkedHashMap<>();

    public StudyTables(List<Cell> cells) {
        METRICS.forEach(m -> tables.put(m.title(), new LinkedHashMap<>()));
        OOD_METRICS.forEach(m -> tables.put(m.title(), new LinkedHashMap<>()));
        for (Metric m : METRICS) {
            formats.put(m.title(), m.format());
        }
        for (Metric m : OOD_METRICS) {
            formats.put(m.title(), m.format());
        }
        for (Cell cell : cells) {
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            cell.report().path("methods").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String family = family(e.getKey());
                if (!cell.methods().isEmpty() && !cell.methods().contains(family)) {
                    continue;
                }
                String row = cell.ablation().isEmpty() ? family : family + " [" + cell.ablation() + "]";
                JsonNode r = e.getValue();
                for (Metric m : METRICS) {
                    add(m, row, cell.task(), r.path(m.key()));
                }
                for (Iterator<Map.Entry<String, JsonNode>> sets = r.path("ood").fields(); sets.hasNext(); ) {
                    Map.Entry<String, JsonNode> set = sets.next();
                    for (Metric m : OOD_METRICS) {
                        add(
                                m,
                                row,
                                cell.task() + " / " + set.getKey(),
                                set.getValue().path(m.key()));
                    }
                }
            }
        }
        tables.values().removeIf(Map::isEmpty);
    }

    private void add(Metric m, String row, String column, JsonNode value) {
        if (value.isNumber() && !Double.isNaN(value.asDouble())) {
            tables.get(m.title())
                    .computeIfAbsent(row, r -> new LinkedHashMap<>())
                    .computeIfAbsent(column, c -> new ArrayList<>())
                    .add(value.asDouble() * m.scale());
        }
    }

    /** A method's row: map-0 … map-K-1 are one method (so are temperature-i, laplace-i, swag-i); curve-NAME is curve. */
    static String family(String method) {
        if (method.startsWith("curve-")) {
            return "curve";
        }
        return method.replaceFirst("-[0-9]+$", "");
    }

    /** Mean and sample standard deviation (0 for one value). */
    static double[] meanStd(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new double[] {mean, values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0};
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        render(
                (title, columns) -> {
                    sb.append("\n### ").append(title).append("\n\n| method |");
                    columns.forEach(c -> sb.append(' ').append(c).append(" |"));
                    sb.append("\n|---|");
                    columns.forEach(c -> sb.append("---:|"));
                    sb.append('\n');
                },
                (row, cells) -> {
                    sb.append("| ").append(row).append(" |");
                    cells.forEach(c -> sb.append(' ').append(c).append(" |"));
                    sb.append('\n');
                },
                () -> {});
        return sb.toString();
    }

    public String html() {
        StringBuilder sb = new StringBuilder(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>LoRA-Curve study</title><style>"
                        + "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
                        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}"
                        + "td:first-child{text-align:left}</style></head><body><h1>Study</h1>"
                        + "<p>Mean ± standard deviation over seeds (and over the K optima for map, temperature,"
                        + " laplace and swag).</p>");
        Function<String, String> esc =
                s -> s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        render(
                (title, columns) -> {
                    sb.append("<h2>").append(esc.apply(title)).append("</h2><table><tr><th>method</th>");
                    columns.forEach(c -> sb.append("<th>").append(esc.apply(c)).append("</th>"));
                    sb.append("</tr>");
                },
                (row, cells) -> {
                    sb.append("<tr><td>").append(esc.apply(row)).append("</td>");
                    cells.forEach(c -> sb.append("<td>").append(esc.apply(c)).append("</td>"));
                    sb.append("</tr>");
                },
                () -> sb.append("</table>"));
        return sb.append("</body></html>").toString();
    }

    /** One line per table cell: metric, method, column, n, mean, std, and the values. */
    public String csv() {
        StringBuilder sb = new StringBuilder("metric,method,column,n,mean,std,values\n");
        tables.forEach((title, rows) -> rows.forEach((row, columns) -> columns.forEach((column, values) -> {
            double[] ms = meanStd(values);
            sb.append(quote(title)).append(',').append(quote(row)).append(',').append(quote(column));
            sb.append(',')
                    .append(values.size())
                    .append(',')
                    .append(ms[0])
                    .append(',')
                    .append(ms[1])
                    .append(',');
            sb.append(
                    quote(String.join(";", values.stream().map(String::valueOf).toList())));
            sb.append('\n');
        })));
        return sb.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private interface Header {
        void accept(String title, List<String> columns);
    }

    private interface Row {
        void accept(String row, List<String> cells);
    }

    private void render(Header header, Row row, Runnable endOfTable) {
        tables.forEach((title, rows) -> {
            List<String> columns = new ArrayList<>();
            rows.values()
                    .forEach(cs -> cs.keySet().stream()
                            .filter(c -> !columns.contains(c))
                            .forEach(columns::add));
            header.accept(title, columns);
            String format = formats.get(title);
            rows.forEach((name, byColumn) -> row.accept(
                    name,
                    columns.stream()
                            .map(c -> {
                                List<Double> v = byColumn.get(c);
                                if (v == null) {
                                    return "–";
                                }
                                double[] ms = meanStd(v);
                                return String.format(Locale.ROOT, format + " ± " + format, ms[0], ms[1]);
                            })
                            .toList()));
            endOfTable.run();
        });
    }
}
