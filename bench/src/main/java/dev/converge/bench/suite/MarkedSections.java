package dev.converge.bench.suite;

import java.util.Map;

/**
 * Replaces the text between marker comments of a Markdown document, leaving everything else as it
 * was: {@code <!-- suite:begin NAME -->} and {@code <!-- suite:end NAME -->}, each on its own line.
 * Hand-written text outside the markers survives every regeneration.
 */
public final class MarkedSections {

  private MarkedSections() {}

  /** The opening marker of section {@code name}. */
  public static String begin(String name) {
    return "<!-- suite:begin " + name + " -->";
  }

  /** The closing marker of section {@code name}. */
  public static String end(String name) {
    return "<!-- suite:end " + name + " -->";
  }

  /**
   * Returns {@code doc} with each named section's content replaced.
   *
   * @param doc the document
   * @param sections name -> new content (a trailing newline is added when missing)
   * @return the new document
   * @throws IllegalArgumentException when a section's markers are missing, repeated or out of order
   *     (the document is then left for a person to fix, not guessed at)
   */
  public static String replace(String doc, Map<String, String> sections) {
    String out = doc;
    for (Map.Entry<String, String> section : sections.entrySet()) {
      String begin = begin(section.getKey()) + "\n";
      String end = end(section.getKey());
      int from = out.indexOf(begin);
      int to = out.indexOf(end);
      if (from < 0 || to < 0) {
        throw new IllegalArgumentException(
            "suite_markers_missing: section "
                + section.getKey()
                + " needs "
                + begin.strip()
                + " and "
                + end);
      }
      if (out.indexOf(begin, from + 1) >= 0 || out.indexOf(end, to + 1) >= 0 || to < from) {
        throw new IllegalArgumentException(
            "suite_markers_malformed: section "
                + section.getKey()
                + " is repeated or its end precedes its begin");
      }
      String body = section.getValue();
      if (!body.isEmpty() && !body.endsWith("\n")) {
        body += "\n";
      }
      out = out.substring(0, from + begin.length()) + body + out.substring(to);
    }
    return out;
  }
}
