package dev.loracurve.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultXYZDataset;
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

    /**
     * The loss plane: the training loss as colour (clipped at the 90th percentile, since it climbs
     * steeply at the grid's edges), the optima, the straight segments between them and the curve
     * projected on the plane.
     */
    public static void planePlot(JsonNode plane, Path png) {
        JsonNode xs = plane.get("xs");
        JsonNode ys = plane.get("ys");
        int n = xs.size() * ys.size();
        double[][] xyz = new double[3][n];
        double[] sorted = new double[n];
        int k = 0;
        for (int iy = 0; iy < ys.size(); iy++) {
            for (int ix = 0; ix < xs.size(); ix++) {
                xyz[0][k] = xs.get(ix).asDouble();
                xyz[1][k] = ys.get(iy).asDouble();
                xyz[2][k] = plane.get("loss").get(iy).get(ix).asDouble();
                sorted[k] = xyz[2][k];
                k++;
            }
        }
        Arrays.sort(sorted);
        double lo = sorted[0];
        double hi = Math.max(sorted[(int) (0.9 * (n - 1))], lo + 1e-9);
        DefaultXYZDataset surface = new DefaultXYZDataset();
        surface.addSeries("training loss", xyz);
        XYBlockRenderer blocks = new XYBlockRenderer();
        blocks.setBlockWidth(xs.size() > 1 ? xs.get(1).asDouble() - xs.get(0).asDouble() : 1);
        blocks.setBlockHeight(ys.size() > 1 ? ys.get(1).asDouble() - ys.get(0).asDouble() : 1);
        blocks.setPaintScale(new PaintScale() {
            @Override
            public double getLowerBound() {
                return lo;
            }

            @Override
            public double getUpperBound() {
                return hi;
            }

            @Override
            public Paint getPaint(double value) {
                float f = (float) Math.max(0, Math.min(1, (value - lo) / (hi - lo)));
                return Color.getHSBColor(0.66f * (1 - f), 0.8f, 0.95f); // blue (low) to red (high)
            }
        });
        XYSeriesCollection paths = new XYSeriesCollection();
        XYSeries optima = new XYSeries("optima", false);
        XYSeries line = new XYSeries("straight segments", false);
        for (JsonNode p : plane.get("optima")) {
            optima.add(p.get(0).asDouble(), p.get(1).asDouble());
            line.add(p.get(0).asDouble(), p.get(1).asDouble());
        }
        XYSeries curve = new XYSeries("curve (projected)", false);
        for (JsonNode p : plane.get("curve")) {
            curve.add(p.get(0).asDouble(), p.get(1).asDouble());
        }
        paths.addSeries(curve);
        paths.addSeries(line);
        paths.addSeries(optima);
        XYLineAndShapeRenderer overlay = new XYLineAndShapeRenderer();
        overlay.setSeriesPaint(0, Color.WHITE);
        overlay.setSeriesShapesVisible(0, false);
        overlay.setSeriesStroke(0, new BasicStroke(2.5f));
        overlay.setSeriesPaint(1, Color.BLACK);
        overlay.setSeriesShapesVisible(1, false);
        overlay.setSeriesStroke(
                1, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
        overlay.setSeriesPaint(2, Color.BLACK);
        overlay.setSeriesLinesVisible(2, false);
        XYPlot plot = new XYPlot(surface, new NumberAxis("u (optimum 0 → 1)"), new NumberAxis("v"), blocks);
        plot.setDataset(1, paths);
        plot.setRenderer(1, overlay);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        JFreeChart chart = new JFreeChart(
                String.format(
                        "Training loss on the plane through optima 0, 1, 2 (blue %.3f to red ≥ %.3f nats)", lo, hi),
                JFreeChart.DEFAULT_TITLE_FONT,
                plot,
                true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 800, 640);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
