package dev.converge.bench.suite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A Markdown table built row by row, and the number formats the suite's tables share (thousands
 * separated by commas whatever the default locale, so generated docs do not depend on the machine).
 * Not thread-safe.
 */
public final class MarkdownTable {

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column titles. */
  public MarkdownTable(String... header) {
    this.header = List.of(header);
  }

  /**
   * Adds a row.
   *
   * @throws IllegalArgumentException when the cell count differs from the header's
   */
  public MarkdownTable row(String... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(
          "row of " + cells.length + " cells for " + header.size() + " columns");
    }
    rows.add(Arrays.stream(cells).map(c -> c.replace("|", "\\|")).toList());
    return this;
  }

  /** Whether no row was added. */
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    line(out, header);
    line(out, header.stream().map(h -> "---").toList());
    rows.forEach(r -> line(out, r));
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  /** A number rounded to {@code decimals}, thousands separated: {@code 4175.2 -> "4,175"}. */
  public static String num(double value, int decimals) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  /** A ratio with one decimal and an x: {@code 11.63 -> "11.6x"}; "n/a" if undefined. */
  public static String times(double ours, double theirs) {
    if (theirs == 0 || Double.isNaN(ours) || Double.isNaN(theirs)) {
      return "n/a";
    }
    double r = ours / theirs;
    return num(r, r < 10 ? 2 : 1) + "x";
  }

  /** A share as a percentage: {@code (1560, 6118) -> "25%"}; "n/a" if undefined. */
  public static String percent(double ours, double theirs) {
    if (theirs == 0 || Double.isNaN(ours) || Double.isNaN(theirs)) {
      return "n/a";
    }
    double p = 100 * ours / theirs;
    return num(p, p < 10 ? 1 : 0) + "%";
  }

  /** The median (the mean of the middle two for an even count); NaN for none. */
  public static double median(Collection<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Values joined with " / ", each formatted with {@code decimals}. */
  public static String each(Collection<Double> values, int decimals) {
    return values.stream().map(v -> num(v, decimals)).collect(Collectors.joining(" / "));
  }

  /** Text as inline code, one span per command, joined with "; ". */
  public static String code(Collection<String> commands) {
    return commands.stream().map(c -> "`" + c + "`").collect(Collectors.joining("; "));
  }
}
