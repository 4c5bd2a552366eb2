package dev.kindling.report;

import dev.kindling.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts of experiment curves, drawn headless with JFreeChart. */
public final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;
    private static final BasicStroke SOLID = new BasicStroke(1.6f);
    private static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT,
            BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** One line per named series of (x, y) points. */
    public static void lines(Path png, String title, String xLabel, String yLabel,
                             Map<String, double[][]> series, Double yMax) throws IOException {
        save(png, lineChart(title, xLabel, yLabel, series, yMax, false));
    }

    /**
     * Lines in pairs, such as a run's training and test accuracy: the series are taken two at a
     * time, each pair in one colour, its second line dashed.
     */
    public static void linePairs(Path png, String title, String xLabel, String yLabel,
                                 Map<String, double[][]> series, Double yMax) throws IOException {
        save(png, lineChart(title, xLabel, yLabel, series, yMax, true));
    }

    private static JFreeChart lineChart(String title, String xLabel, String yLabel,
                                        Map<String, double[][]> series, Double yMax, boolean pairs) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (double[] point : e.getValue()) {
                if (Double.isFinite(point[1])) {
                    s.add(point[0], point[1]);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        Paint paint = null;
        for (int i = 0; i < series.size(); i++) {
            boolean second = pairs && i % 2 == 1;
            renderer.setSeriesStroke(i, second ? DASHED : SOLID);
            if (pairs) {
                paint = second ? paint : plot.getDrawingSupplier().getNextPaint();
                renderer.setSeriesPaint(i, paint);
            }
        }
        plot.setRenderer(renderer);
        NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setAutoRangeIncludesZero(false);
        if (yMax != null) {
            range.setUpperBound(yMax);
        }
        return chart;
    }

    /** Unconnected points, one colour per named series of (x, y) points. */
    public static void scatter(Path png, String title, String xLabel, String yLabel,
                               Map<String, double[][]> series, Double yMax) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), true, true);
            for (double[] point : e.getValue()) {
                if (Double.isFinite(point[0]) && Double.isFinite(point[1])) {
                    s.add(point[0], point[1]);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        NumberAxis domain = (NumberAxis) plot.getDomainAxis();
        domain.setAutoRangeIncludesZero(false);
        NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setAutoRangeIncludesZero(true);
        if (yMax != null) {
            range.setUpperBound(yMax);
        }
        save(png, chart);
    }

    /** A bar chart: one bar per (category, series) value. */
    public static void bars(Path png, String title, String valueLabel, Map<String, Map<String, Double>> values)
            throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<String, Double>> row : values.entrySet()) {
            for (Map.Entry<String, Double> cell : row.getValue().entrySet()) {
                data.addValue(cell.getValue(), row.getKey(), cell.getKey());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "", valueLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        // slanted, so that long category names (tensor names) are shown whole
        CategoryAxis categories = chart.getCategoryPlot().getDomainAxis();
        categories.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        categories.setMaximumCategoryLabelWidthRatio(1.0f);
        save(png, chart);
    }

    private static void save(Path png, JFreeChart chart) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bytes, chart, WIDTH, HEIGHT);
        AtomicFiles.write(png, bytes.toByteArray());
    }

    /** Insertion-ordered map, for series in the order they were run. */
    public static <V> Map<String, V> ordered() {
        return new LinkedHashMap<>();
    }
}
