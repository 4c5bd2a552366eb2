package dev.kindling.report;

import dev.kindling.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
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

    /** The chart {@link #lines} ({@code pairs} false) or {@link #linePairs} draws. */
    static JFreeChart lineChart(String title, String xLabel, String yLabel,
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
        legendOnlyWhatIsDrawn(plot, data);
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
        save(png, scatterChart(title, xLabel, yLabel, series, yMax));
    }

    /** The chart {@link #scatter} draws. */
    public static JFreeChart scatterChart(String title, String xLabel, String yLabel,
                                          Map<String, double[][]> series, Double yMax) {
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
        legendOnlyWhatIsDrawn(plot, data);
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
        return chart;
    }

    /**
     * Bars of positive values, such as errors, on a log axis: one per (category, series) value,
     * with a dashed line at each of {@code lines} (label to value), such as a pass threshold.
     * Each bar rises from the bottom of the axis, a decade or less below the smallest value: a log
     * axis has no zero to grow from, and bars grown from 1 (log10 = 0) would hang down, the
     * smallest error the longest bar. A value that is not positive is a bar of no height.
     */
    public static JFreeChart logBarChart(String title, String valueLabel, Map<String, Map<String, Double>> values,
                                         Map<String, Double> lines) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        List<Double> all = new ArrayList<>(lines.values());
        values.values().forEach(row -> all.addAll(row.values()));
        for (double v : all) {
            if (v > 0 && Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (max == 0) {
            min = 1;
            max = 1;
        }
        double lower = Math.pow(10, Math.ceil(Math.log10(min)) - 1);
        double upper = Math.pow(10, Math.floor(Math.log10(max)) + 1);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<String, Double>> row : values.entrySet()) {
            for (Map.Entry<String, Double> cell : row.getValue().entrySet()) {
                double v = cell.getValue();
                data.addValue(v > 0 && Double.isFinite(v) ? v : lower, row.getKey(), cell.getKey());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "", valueLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis axis = new LogAxis(valueLabel);
        axis.setBase(10);
        axis.setRange(lower, upper);
        axis.setTickUnit(new NumberTickUnit(1), false, true); // a tick per decade: 10^-4, 10^-3, ...
        plot.setRangeAxis(axis);
        ((BarRenderer) plot.getRenderer()).setBase(lower);
        for (Map.Entry<String, Double> line : lines.entrySet()) {
            ValueMarker marker = new ValueMarker(line.getValue(), Color.RED, DASHED);
            marker.setLabel(line.getKey());
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(marker, Layer.FOREGROUND);
        }
        slantedCategories(plot);
        return chart;
    }

    /** Category names slanted, so that long ones (tensor names) are shown whole. */
    private static void slantedCategories(CategoryPlot plot) {
        CategoryAxis categories = plot.getDomainAxis();
        categories.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        categories.setMaximumCategoryLabelWidthRatio(1.0f);
    }

    /**
     * Leaves series without points out of the legend, which would name them with nothing drawn
     * (search.png's "other trials" when every trial is among the best). They stay in the data, so
     * the others keep their index, and with it their colour and stroke.
     */
    private static void legendOnlyWhatIsDrawn(XYPlot plot, XYSeriesCollection data) {
        for (int i = 0; i < data.getSeriesCount(); i++) {
            if (data.getSeries(i).isEmpty()) {
                plot.getRenderer().setSeriesVisibleInLegend(i, false);
            }
        }
    }

    /** Writes {@code chart} as a PNG, under a temporary name renamed into place. */
    public static void save(Path png, JFreeChart chart) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bytes, chart, WIDTH, HEIGHT);
        AtomicFiles.write(png, bytes.toByteArray());
    }

    /** Insertion-ordered map, for series in the order they were run. */
    public static <V> Map<String, V> ordered() {
        return new LinkedHashMap<>();
    }
}
