package dev.kindling.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.LegendItemCollection;
import org.junit.jupiter.api.Test;

class ChartsTest {
    static List<String> legend(LegendItemCollection items) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < items.getItemCount(); i++) {
            labels.add(items.get(i).getLabel());
        }
        return labels;
    }

    @Test
    void aSeriesWithNoPointsIsLeftOutOfTheLegend() {
        // five trials or fewer (search.png): all are among the best, none is an "other trial"
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("best 3", new double[][] {{-3, 0.8}, {-2, 0.85}, {-1, 0.7}});
        series.put("other trials", new double[0][]);
        series.put("diverged", new double[][] {{-0.5, Double.NaN}});
        assertEquals(List.of("best 3"), legend(Charts.scatterChart("search", "log10 lr", "accuracy", series, 1.0)
                .getXYPlot().getLegendItems()));
    }

    @Test
    void linesWithNoPointsAreLeftOutOfTheLegendToo() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train", new double[][] {{1, 0.5}, {2, 0.6}});
        series.put("test", new double[][] {{1, Double.NaN}, {2, Double.NaN}});
        assertEquals(List.of("train"), legend(Charts.lineChart("curves", "epoch", "accuracy", series, null, true)
                .getXYPlot().getLegendItems()));
    }
}
