package dev.converge.bench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The fan-out lag plot: p50, p95 and p99 of push-sent -> frame-received against the total write
 * rate (both axes logarithmic, the sweep spans decades), with the 100 ms p99 goal as a line.
 */
final class LagPlot {

  private LagPlot() {}

  /**
   * Writes the plot as a PNG.
   *
   * @param sweep the fan-out rows in ascending rate (at least one)
   * @param title the chart's title (says the sessions, spaces and machine; "quick mode" if so)
   * @param png the file to write, created with its folders
   * @throws IOException when the file cannot be written
   */
  static void write(List<JsonNode> sweep, String title, Path png) throws IOException {
    if (sweep.isEmpty()) {
      throw new IllegalArgumentException("no fan-out rows to plot");
    }
    System.setProperty("java.awt.headless", "true");
    double[] rates = sweep.stream().mapToDouble(r -> r.path("rate").asDouble()).toArray();
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(540)
            .title(title)
            .xAxisTitle("writes per second, all spaces together")
            .yAxisTitle("lag, push sent -> frame received (ms)")
            .build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    chart.getStyler().setAxisTitleFont(chart.getStyler().getAxisTitleFont().deriveFont(14f));
    chart
        .getStyler()
        .setAxisTickLabelsFont(chart.getStyler().getAxisTickLabelsFont().deriveFont(13f));
    chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(13f));
    String[] names = {"p50", "p95", "p99"};
    Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728)};
    for (int i = 0; i < names.length; i++) {
      String field = names[i] + "_ms";
      // A log axis cannot show 0: a lag under 0.01 ms is drawn at 0.01.
      double[] lag =
          sweep.stream().mapToDouble(r -> Math.max(0.01, r.path(field).asDouble(0.01))).toArray();
      XYSeries series = chart.addSeries(names[i], rates, lag);
      series.setMarker(SeriesMarkers.CIRCLE);
      series.setLineColor(colors[i]);
      series.setMarkerColor(colors[i]);
    }
    double[] goalX = {rates[0], rates[rates.length - 1]};
    XYSeries goal =
        chart.addSeries(
            "goal: p99 < 100 ms",
            goalX,
            new double[] {LagTables.P99_GOAL_MS, LagTables.P99_GOAL_MS});
    goal.setMarker(SeriesMarkers.NONE);
    goal.setLineColor(Color.GRAY);
    Files.createDirectories(png.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
