package dev.converge.core.crdt;

import java.util.List;

/** Text form of field paths in messages. */
final class Paths {
  private Paths() {}

  static String describe(List<String> path) {
    return path.isEmpty() ? "the document root" : "'" + String.join("/", path) + "'";
  }
}
