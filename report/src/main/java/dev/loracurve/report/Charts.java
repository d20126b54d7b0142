package dev.loracurve.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line charts as PNG through JFreeChart, headless. */
public final class Charts {
    private Charts() {}

    /** One line per series (name → {x[], y[]}), dashed when the name contains "line". */
    public static void lines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false);
            for (int i = 0; i < e.getValue()[0].length; i++) {
                s.add(e.getValue()[0][i], e.getValue()[1][i]);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        Color[] palette = {
            new Color(0x1f77b4),
            new Color(0xd62728),
            new Color(0x2ca02c),
            new Color(0xff7f0e),
            new Color(0x9467bd),
            new Color(0x8c564b),
            new Color(0xe377c2),
            new Color(0x17becf),
            new Color(0xbcbd22),
            new Color(0x7f7f7f)
        };
        int i = 0;
        for (String name : series.keySet()) {
            boolean reference = name.startsWith("perfect");
            r.setSeriesPaint(i, reference ? Color.GRAY : palette[i % palette.length]);
            r.setSeriesStroke(
                    i,
                    name.contains("line") || reference
                            ? new BasicStroke(
                                    2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(2f));
            i++;
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 540);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    public static Map<String, double[][]> map() {
        return new LinkedHashMap<>();
    }

    /** The path profile: train and test loss along the curve and along the straight path. */
    public static void pathPlot(JsonNode profile, Path png) {
        Map<String, double[][]> series = map();
        JsonNode pts = profile.get("points");
        for (String path : List.of("curve", "line")) {
            for (String split : List.of("train", "test")) {
                double[][] xy = new double[2][pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    xy[0][i] = pts.get(i).get("t").asDouble();
                    xy[1][i] = pts.get(i).get(path).get(split + "_loss").asDouble();
                }
                series.put(path + " " + split, xy);
            }
        }
        lines(
                png,
                "Loss along the " + profile.path("variant").asText() + " curve and the straight path ("
                        + profile.path("task").asText() + ")",
                "t",
                "NLL (nats)",
                series);
    }
}
