package dev.kindling.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.nn.GradientCheck.TensorError;
import java.util.Collection;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.category.CategoryDataset;
import org.junit.jupiter.api.Test;

/** gradcheck.png: bars rising from the bottom of a log axis, lower is better, and the pass threshold drawn. */
class GradientCheckChartTest {
    static final List<GradientCheckExperiment.Row> ROWS = List.of(
            new GradientCheckExperiment.Row("mlp", new TensorError("Dense.W", 0, 100, 3e-5, 1e-7), 1e-3),
            new GradientCheckExperiment.Row("mlp", new TensorError("Dense.b", 100, 10, 2e-3, 1e-6), 1e-3),
            new GradientCheckExperiment.Row("cnn", new TensorError("Conv2D.W", 0, 50, 4e-4, 1e-7), 1e-3));

    @Test
    void barsAreTheRelativeErrorsOnALogAxisRisingFromItsBottom() {
        CategoryPlot plot = GradientCheckExperiment.chart(ROWS, 3).getCategoryPlot();
        LogAxis axis = assertInstanceOf(LogAxis.class, plot.getRangeAxis());
        CategoryDataset data = plot.getDataset();
        assertEquals(3e-5, data.getValue("mlp", "mlp Dense.W").doubleValue(), 1e-12);
        assertEquals(2e-3, data.getValue("mlp", "mlp Dense.b").doubleValue(), 1e-12);
        assertEquals(4e-4, data.getValue("cnn", "cnn Conv2D.W").doubleValue(), 1e-12);
        double base = ((BarRenderer) plot.getRenderer()).getBase();
        // a bar is drawn from the base to its value: from the bottom of the axis, up
        assertEquals(axis.getLowerBound(), base, 0.0);
        assertTrue(base < 3e-5, "every bar rises from below its value: base " + base);
    }

    @Test
    void theThresholdIsALineOnTheChart() {
        JFreeChart chart = GradientCheckExperiment.chart(ROWS, 3);
        CategoryPlot plot = chart.getCategoryPlot();
        Collection<?> markers = plot.getRangeMarkers(Layer.FOREGROUND);
        assertTrue(markers != null && markers.stream().anyMatch(m -> m instanceof ValueMarker v
                && v.getValue() == GradientCheckExperiment.THRESHOLD), "a marker at the threshold: " + markers);
        assertTrue(plot.getRangeAxis().getUpperBound() > GradientCheckExperiment.THRESHOLD,
                "the threshold is within the axis");
    }
}
