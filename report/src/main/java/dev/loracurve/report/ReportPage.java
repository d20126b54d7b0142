package dev.loracurve.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.loracurve.core.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/** report.html: the metrics table of every method and the charts, self-contained (charts embedded as PNG). */
public final class ReportPage {
    private ReportPage() {}

    public static void write(Path html, JsonNode report, JsonNode path) {
        StringBuilder sb = new StringBuilder(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>LoRA-Curve report</title>"
                        + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                        + "padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}</style></head><body>");
        sb.append("<h1>")
                .append(escape(report.path("task").asText()))
                .append(" (")
                .append(escape(report.path("split").asText()))
                .append(", ")
                .append(report.path("items").asInt())
                .append(" items, M = ")
                .append(report.path("samples").asInt())
                .append(")</h1>");
        sb.append("<table><tr><th>method</th><th>ACC</th><th>NLL</th><th>ECE ×100</th><th>Brier</th><th>entropy</th>"
                + "<th>MI</th><th>AUROC err (MI)</th><th>AUROC err (H)</th></tr>");
        for (Iterator<Map.Entry<String, JsonNode>> it = report.get("methods").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = e.getValue();
            sb.append("<tr><td>").append(escape(e.getKey())).append("</td>");
            cell(sb, r.get("accuracy").asDouble() * 100, "%.1f");
            cell(sb, r.get("nll").asDouble(), "%.3f");
            cell(sb, r.get("ece").asDouble() * 100, "%.1f");
            cell(sb, r.get("brier").asDouble(), "%.3f");
            cell(sb, r.get("entropy").asDouble(), "%.3f");
            cell(sb, r.get("mutual_information").asDouble(), "%.4f");
            cell(sb, r.get("auroc_error_mi").asDouble(), "%.3f");
            cell(sb, r.get("auroc_error_entropy").asDouble(), "%.3f");
            sb.append("</tr>");
        }
        sb.append("</table>");
        oodSection(sb, report);
        try {
            Path tmp = Files.createTempDirectory("report");
            Map<String, double[][]> rel = Charts.map();
            rel.put("perfect calibration", new double[][] {{0, 1}, {0, 1}});
            Map<String, double[][]> acc = Charts.map();
            Map<String, double[][]> kl = Charts.map();
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            report.get("methods").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode bins = e.getValue().get("reliability");
                int used = 0;
                for (JsonNode b : bins) {
                    used += b.get(0).asDouble() > 0 ? 1 : 0;
                }
                double[][] xy = new double[2][used];
                int k = 0;
                for (JsonNode b : bins) {
                    if (b.get(0).asDouble() > 0) {
                        xy[0][k] = b.get(1).asDouble();
                        xy[1][k++] = b.get(2).asDouble();
                    }
                }
                rel.put(e.getKey(), xy);
                JsonNode perT = e.getValue().get("per_t");
                if (perT != null && perT.get(0).has("t")) {
                    double[][] a = new double[2][perT.size()];
                    double[][] d = new double[2][perT.size()];
                    for (int i = 0; i < perT.size(); i++) {
                        a[0][i] = d[0][i] = perT.get(i).get("t").asDouble();
                        a[1][i] = perT.get(i).get("accuracy").asDouble();
                        d[1][i] = perT.get(i).get("kl_to_mean").asDouble();
                    }
                    acc.put(e.getKey(), a);
                    kl.put(e.getKey(), d);
                }
            }
            Charts.lines(
                    tmp.resolve("rel.png"), "Reliability (accuracy per confidence bin)", "confidence", "accuracy", rel);
            image(sb, "Reliability diagram", tmp.resolve("rel.png"));
            if (!acc.isEmpty()) {
                Charts.lines(tmp.resolve("acc.png"), "Accuracy of each sampled point", "t", "accuracy", acc);
                image(sb, "Accuracy along t", tmp.resolve("acc.png"));
                Charts.lines(
                        tmp.resolve("kl.png"),
                        "Each point's share of the mutual information: E_x KL(p_t || p̄)",
                        "t",
                        "nats",
                        kl);
                image(sb, "Mutual information along t", tmp.resolve("kl.png"));
            }
            if (path != null) {
                Charts.pathPlot(path, tmp.resolve("path.png"));
                image(sb, "Loss along the curve and the straight path", tmp.resolve("path.png"));
            }
            if (report.has("plane")) {
                Charts.planePlot(report.get("plane"), tmp.resolve("plane.png"));
                image(sb, "The loss plane through three optima", tmp.resolve("plane.png"));
                sb.append(String.format(
                        "<p>The curve leaves the plane by up to %.4f (its interior control points are free); it is"
                                + " drawn projected. %d training items.</p>",
                        report.get("plane").path("curve_off_plane").asDouble(),
                        report.get("plane").path("train_items").asInt()));
            }
            AtomicFiles.deleteTree(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sb.append(
                "<p>ECE: 15 equal-width bins, top label, L1. MI = H(p̄) − mean H(p_m), nats. AUROC err: MI or predictive "
                        + "entropy as a score for wrong answers. OOD AUROC: the same scores telling each set's"
                        + " out-of-distribution inputs from in-distribution ones; in_template: another benchmark's"
                        + " texts in this task's prompt and classes (no answer is right), other_task: another"
                        + " benchmark with its own prompt and choices.</p></body></html>");
        AtomicFiles.writeString(html, sb.toString());
    }

    /** Per OOD set, a table of every method's figures on it. */
    private static void oodSection(StringBuilder sb, JsonNode report) {
        for (Iterator<Map.Entry<String, JsonNode>> sets = report.path("ood").fields(); sets.hasNext(); ) {
            Map.Entry<String, JsonNode> set = sets.next();
            sb.append("<h2>Out of distribution: ")
                    .append(escape(set.getKey()))
                    .append(" (")
                    .append(escape(set.getValue().path("source").asText()))
                    .append(", ")
                    .append(set.getValue().path("items").asInt())
                    .append(" items)</h2><table><tr><th>method</th><th>MI</th><th>entropy</th><th>AUROC (MI)</th>"
                            + "<th>AUROC (H)</th><th>ACC</th><th>ECE ×100</th></tr>");
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            report.get("methods").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode o = e.getValue().path("ood").path(set.getKey());
                sb.append("<tr><td>").append(escape(e.getKey())).append("</td>");
                cell(sb, o.path("mutual_information").asDouble(Double.NaN), "%.4f");
                cell(sb, o.path("entropy").asDouble(Double.NaN), "%.3f");
                cell(sb, o.path("auroc_mi").asDouble(Double.NaN), "%.3f");
                cell(sb, o.path("auroc_entropy").asDouble(Double.NaN), "%.3f");
                cell(sb, o.path("accuracy").asDouble(Double.NaN) * 100, "%.1f");
                cell(sb, o.path("ece").asDouble(Double.NaN) * 100, "%.1f");
                sb.append("</tr>");
            }
            sb.append("</table>");
        }
    }

    /** The first OOD section of a method's report (or of report.json's list of sets); missing when none. */
    public static JsonNode firstOod(JsonNode node) {
        Iterator<JsonNode> sets = node.path("ood").elements();
        return sets.hasNext() ? sets.next() : MissingNode.getInstance();
    }

    private static void image(StringBuilder sb, String title, Path png) throws IOException {
        sb.append("<h2>")
                .append(escape(title))
                .append("</h2><img alt=\"")
                .append(escape(title))
                .append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png)))
                .append("\">");
    }

    private static void cell(StringBuilder sb, double v, String fmt) {
        sb.append("<td>").append(Double.isNaN(v) ? "–" : String.format(fmt, v)).append("</td>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * In-distribution against the first out-of-distribution set, per method: accuracy, ECE and MI,
     * and the AUROC of MI for OOD.
     */
    public static String oodTable(JsonNode report) {
        StringBuilder out = new StringBuilder(String.format(
                "%-16s %7s %7s %8s | %7s %7s %8s | %9s%n",
                "method", "ACC", "ECE", "MI", "OOD ACC", "OOD ECE", "OOD MI", "AUROC MI"));
        for (Iterator<Map.Entry<String, JsonNode>> it = report.get("methods").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = e.getValue();
            JsonNode o = firstOod(r);
            out.append(String.format(
                    "%-16s %6.1f%% %6.1f%% %8.4f | %6.1f%% %6.1f%% %8.4f | %9.3f%n",
                    e.getKey(),
                    r.get("accuracy").asDouble() * 100,
                    r.get("ece").asDouble() * 100,
                    r.get("mutual_information").asDouble(),
                    o.path("accuracy").asDouble(Double.NaN) * 100,
                    o.path("ece").asDouble(Double.NaN) * 100,
                    o.path("mutual_information").asDouble(Double.NaN),
                    o.path("auroc_mi").asDouble(Double.NaN)));
        }
        return out.toString();
    }

    /** The headline table as text. */
    public static String table(JsonNode report) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%-22s %6s %7s %6s %6s %7s %7s %7s %7s %7s%n",
                "method", "ACC", "NLL", "ECE", "Brier", "MI", "AUe-MI", "AUe-H", "OOD-MI", "OOD-H"));
        for (Iterator<Map.Entry<String, JsonNode>> it = report.get("methods").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = e.getValue();
            out.append(String.format(
                    "%-22s %6.1f %7.4f %6.1f %6.4f %7.4f %7.3f %7.3f %7.3f %7.3f%n",
                    e.getKey(),
                    r.get("accuracy").asDouble() * 100,
                    r.get("nll").asDouble(),
                    r.get("ece").asDouble() * 100,
                    r.get("brier").asDouble(),
                    r.get("mutual_information").asDouble(),
                    r.get("auroc_error_mi").asDouble(),
                    r.get("auroc_error_entropy").asDouble(),
                    firstOod(r).path("auroc_mi").asDouble(Double.NaN),
                    firstOod(r).path("auroc_entropy").asDouble(Double.NaN)));
        }
        return out.toString();
    }
}
