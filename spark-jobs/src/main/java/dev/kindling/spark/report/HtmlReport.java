package dev.kindling.spark.report;

import dev.kindling.KindlingException;
import dev.kindling.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One self-contained HTML page: text, tables, a heat-map table and charts drawn in the browser
 * by Chart.js, whose code is inlined (from its WebJar on the class path), so the page needs no
 * network. Once the page's script has drawn a chart it marks the canvas with
 * {@code data-rendered="true"}, the number of points drawn and of painted pixels, and the body
 * with {@code data-charts-rendered="DRAWN/ALL"}, which a headless browser's DOM dump shows.
 */
public final class HtmlReport {
    private static final String WEBJAR = "META-INF/resources/webjars/chart.js/";
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    private static final String PALETTE[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private final String title;
    private final StringBuilder body = new StringBuilder();
    private final List<Map<String, Object>> charts = new ArrayList<>();

    HtmlReport(String title) {
        this.title = title;
    }

    HtmlReport heading(String text) {
        body.append("<h2>").append(escape(text)).append("</h2>\n");
        return this;
    }

    HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    HtmlReport table(List<String> header, List<List<Object>> rows) {
        body.append("<table><thead><tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr></thead><tbody>\n");
        for (List<Object> row : rows) {
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(escape(cell(c))).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</tbody></table>\n");
        return this;
    }

    /** A confusion matrix: rows the true classes, columns the predicted ones, shaded by the row's share. */
    HtmlReport confusion(List<String> classes, long[][] counts) {
        body.append("<table class=\"confusion\" data-confusion=\"").append(classes.size())
                .append("\"><thead><tr><th>true \\ predicted</th>");
        classes.forEach(c -> body.append("<th>").append(escape(c)).append("</th>"));
        body.append("</tr></thead><tbody>\n");
        for (int i = 0; i < counts.length; i++) {
            long total = 0;
            for (long v : counts[i]) {
                total += v;
            }
            body.append("<tr><th>").append(escape(classes.get(i))).append("</th>");
            for (int j = 0; j < counts[i].length; j++) {
                double share = total == 0 ? 0 : (double) counts[i][j] / total;
                String colour = i == j ? "31,119,180" : "214,39,40";
                body.append(String.format(java.util.Locale.ROOT,
                        "<td style=\"background:rgba(%s,%.3f)\" title=\"%.1f%%\">%d</td>", colour, share,
                        share * 100, counts[i][j]));
            }
            body.append("</tr>\n");
        }
        body.append("</tbody></table>\n");
        return this;
    }

    /** A chart; {@code config} is a Chart.js configuration (type, data, options). */
    HtmlReport chart(String name, Map<String, Object> config) {
        String id = "chart-" + charts.size();
        body.append("<div class=\"chart\"><canvas id=\"").append(id).append("\" data-chart=\"").append(escape(name))
                .append("\" width=\"880\" height=\"420\"></canvas></div>\n");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("config", config);
        charts.add(c);
        return this;
    }

    /** Lines (or points) of (x, y) series, x on a log scale if {@code logX}. */
    static Map<String, Object> xy(String type, String title, String xLabel, String yLabel,
                                  Map<String, List<double[]>> series, boolean logX) {
        List<Map<String, Object>> datasets = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            List<Map<String, Object>> points = new ArrayList<>();
            for (double[] p : s.getValue()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    points.add(Map.of("x", p[0], "y", p[1]));
                }
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("label", s.getKey());
            d.put("data", points);
            d.put("borderColor", PALETTE[k % PALETTE.length]);
            d.put("backgroundColor", PALETTE[k % PALETTE.length]);
            d.put("pointRadius", type.equals("scatter") ? 4 : 2);
            d.put("borderWidth", 2);
            datasets.add(d);
            k++;
        }
        Map<String, Object> scales = Map.of(
                "x", Map.of("type", logX ? "logarithmic" : "linear", "title", Map.of("display", true, "text", xLabel)),
                "y", Map.of("title", Map.of("display", true, "text", yLabel)));
        return config(type, Map.of("datasets", datasets), title, scales);
    }

    /** One bar per label. */
    static Map<String, Object> bars(String title, String yLabel, List<String> labels, String series, double[] values) {
        List<Object> data = new ArrayList<>();
        for (double v : values) {
            data.add(Double.isFinite(v) ? v : null);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("label", series);
        d.put("data", data);
        d.put("backgroundColor", PALETTE[0]);
        Map<String, Object> scales = Map.of("y", Map.of("beginAtZero", true,
                "title", Map.of("display", true, "text", yLabel)));
        return config("bar", Map.of("labels", labels, "datasets", List.of(d)), title, scales);
    }

    private static Map<String, Object> config(String type, Map<String, Object> data, String title,
                                              Map<String, Object> scales) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("plugins", Map.of("title", Map.of("display", true, "text", title)));
        options.put("scales", scales);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("data", data);
        c.put("options", options);
        return c;
    }

    byte[] render() {
        String library = chartJs();
        StringBuilder html = new StringBuilder(library.length() + body.length() + 8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;max-width:960px;color:#222}")
                .append("table{border-collapse:collapse;margin:8px 0 16px}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}")
                .append("th{background:#f4f4f4}.chart{margin:12px 0}")
                .append("\n</style>\n<script>/* Chart.js ").append(chartJsVersion())
                .append(" (MIT License, https://www.chartjs.org) */\n").append(library).append("\n</script>\n")
                .append("</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n").append(body)
                .append("<script type=\"application/json\" id=\"kindling-charts\">")
                .append(Json.line(charts).replace("</", "<\\/").replace("<!--", "<\\!--")).append("</script>\n")
                .append("<script>\n").append(DRAW).append("</script>\n</body></html>\n");
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Draws every chart without animation, then marks what it drew. */
    private static final String DRAW = """
            (function () {
              var specs = JSON.parse(document.getElementById('kindling-charts').textContent);
              var drawn = 0;
              specs.forEach(function (s) {
                var canvas = document.getElementById(s.id);
                try {
                  var cfg = s.config;
                  cfg.options.animation = false;
                  cfg.options.responsive = false;
                  cfg.options.devicePixelRatio = 1;
                  var chart = new Chart(canvas, cfg);
                  var points = 0;
                  chart.data.datasets.forEach(function (d, i) { points += chart.getDatasetMeta(i).data.length; });
                  var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                  var painted = 0;
                  for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) { painted++; } }
                  canvas.setAttribute('data-points', points);
                  canvas.setAttribute('data-painted-pixels', painted);
                  canvas.setAttribute('data-rendered', points > 0 && painted > 0 ? 'true' : 'blank');
                  if (points > 0 && painted > 0) { drawn++; }
                } catch (e) {
                  canvas.setAttribute('data-rendered', 'error: ' + e.message);
                }
              });
              document.body.setAttribute('data-charts-rendered', drawn + '/' + specs.length);
            })();
            """;

    static String chartJsVersion() {
        Properties p = new Properties();
        try (InputStream in = resource(WEBJAR_POM)) {
            p.load(in);
        } catch (IOException e) {
            throw new KindlingException(WEBJAR_POM + ": cannot read: " + e.getMessage(), e);
        }
        return p.getProperty("version");
    }

    private static String chartJs() {
        String path = WEBJAR + chartJsVersion() + "/dist/chart.umd.min.js";
        try (InputStream in = resource(path)) {
            String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // the inline script must not end early; a source map comment would point nowhere
            return js.replace("</script", "<\\/script").replaceAll("//# sourceMappingURL=\\S+", "");
        } catch (IOException e) {
            throw new KindlingException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new KindlingException(path + ": not on the class path (the Chart.js WebJar, org.webjars.npm:chart.js, "
                    + "is missing)");
        }
        return in;
    }

    private static String cell(Object c) {
        if (c instanceof Double d) {
            return Double.isNaN(d) ? "" : String.format(java.util.Locale.ROOT, Math.abs(d) < 1e-3 && d != 0 ? "%.3e"
                    : "%.4f", d);
        }
        return String.valueOf(c);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
