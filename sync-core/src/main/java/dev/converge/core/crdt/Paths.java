package dev.converge.core.crdt;

import java.util.List;

/** Text form of field paths in messages. */
public final class Paths {
  private Paths() {}

  /** Returns {@code path} as a quoted {@code a/b/c}, or "the document root" when empty. */
  public static String describe(List<String> path) {
    return path.isEmpty() ? "the document root" : "'" + String.join("/", path) + "'";
  }
}
