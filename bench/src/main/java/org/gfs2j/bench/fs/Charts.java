package org.gfs2j.bench.fs;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * PNG charts of a run (JFreeChart, headless): one "relative to the baseline" overview of every
 * figure, and one chart of medians per figure group. Horizontal bars, because the figure labels
 * are long.
 */
public final class Charts {
    private static final Color[] PALETTE = {
        new Color(0xD62728), new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0x9467BD),
    };

    private Charts() {
    }

    /** The chart file of a figure group ("small files" → "small-files.png"). */
    public static String fileName(String group) {
        return group.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + ".png";
    }

    /** Writes relative.png and one PNG per group into {@code dir}; returns the files written. */
    public static List<Path> write(Results results, String baseline, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        written.add(writeRelative(results, baseline, dir.resolve("relative.png")));
        List<String> groups = new ArrayList<>();
        results.figures().forEach(f -> {
            if (!groups.contains(f.group())) {
                groups.add(f.group());
            }
        });
        for (String g : groups) {
            written.add(writeGroup(results, g, dir.resolve(fileName(g))));
        }
        return written;
    }

    private static Path writeRelative(Results results, String baseline, Path file) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Results.TargetStatus t : results.targets()) {
            if (t.name().equals(baseline) || !t.available()) {
                continue;
            }
            for (Figure f : results.figures()) {
                double r = Stats.speedup(Stats.ratio(results.samples(t.name(), f.id()),
                        results.samples(baseline, f.id())), f.higherIsBetter());
                if (Double.isFinite(r)) {
                    data.addValue(r, t.name(), shortLabel(f));
                }
            }
        }
        JFreeChart chart = barChart("Speed relative to " + baseline + " (1 = " + baseline
                + "; above 1 faster; latency inverted; log scale)", "", data, results);
        CategoryPlot plot = chart.getCategoryPlot();
        LogAxis log = new LogAxis("times as fast as " + baseline);
        log.setBase(2);
        log.setTickUnit(new NumberTickUnit(1.0)); // one tick per doubling
        log.setNumberFormatOverride(new DecimalFormat("0.###"));
        double lo = 1;
        double hi = 1;
        for (int row = 0; row < data.getRowCount(); row++) {
            for (int col = 0; col < data.getColumnCount(); col++) {
                Number v = data.getValue(row, col);
                if (v != null) {
                    lo = Math.min(lo, v.doubleValue());
                    hi = Math.max(hi, v.doubleValue());
                }
            }
        }
        log.setRange(lo / 1.5, hi * 1.5);
        plot.setRangeAxis(log);
        ((BarRenderer) plot.getRenderer()).setBase(1.0); // bars grow from 1: left slower, right faster
        ValueMarker one = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.5f));
        plot.addRangeMarker(one);
        return save(chart, file, data.getColumnCount(), Math.max(1, data.getRowCount()));
    }

    private static Path writeGroup(Results results, String group, Path file) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        String unit = null;
        boolean mixedUnits = false;
        for (Figure f : results.figures()) {
            if (!f.group().equals(group)) {
                continue;
            }
            mixedUnits |= unit != null && !unit.equals(f.unit());
            unit = f.unit();
            for (Results.TargetStatus t : results.targets()) {
                List<Double> s = results.samples(t.name(), f.id());
                if (t.available() && !s.isEmpty()) {
                    data.addValue(Stats.median(s), t.name(), shortLabel(f));
                }
            }
        }
        String axis = mixedUnits || unit == null ? "median" : "median, " + unit;
        JFreeChart chart = barChart(Character.toUpperCase(group.charAt(0)) + group.substring(1)
                + (results.figures().stream().anyMatch(f -> f.group().equals(group) && !f.higherIsBetter())
                ? " (lower is better)" : " (higher is better)"), axis, data, results);
        return save(chart, file, data.getColumnCount(), Math.max(1, data.getRowCount()));
    }

    private static JFreeChart barChart(String title, String valueAxis, DefaultCategoryDataset data,
                                       Results results) {
        CategoryAxis cat = new CategoryAxis();
        cat.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        cat.setMaximumCategoryLabelWidthRatio(0.45f);
        NumberAxis val = new NumberAxis(valueAxis);
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        // A target keeps its colour in every chart, whichever targets were measured.
        List<String> names = results.targets().stream().map(Results.TargetStatus::name).toList();
        for (int i = 0; i < data.getRowCount(); i++) {
            int t = names.indexOf(String.valueOf(data.getRowKey(i)));
            r.setSeriesPaint(i, PALETTE[Math.floorMod(t, PALETTE.length)]);
        }
        CategoryPlot plot = new CategoryPlot(data, cat, val, r);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 15)));
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.TOP);
        return chart;
    }

    private static Path save(JFreeChart chart, Path file, int categories, int series) throws IOException {
        int height = 110 + Math.max(3, categories) * (12 + 14 * series);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, height);
        return file;
    }

    /** The label without the details that repeat across a chart (sizes, counts). */
    private static String shortLabel(Figure f) {
        return f.label().replaceAll(" \\d+ MiB,", ",").replaceAll(", \\d+ files in \\d+ dirs", "")
                .replaceAll("^\\d+ files of 4-64 KiB: ", "small files: ");
    }
}
