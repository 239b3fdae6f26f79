package dev.converge.core.crdt;

import java.util.List;

/**
 * A register holding concurrent values: the last-writer-wins winner and the values it won over. The
 * losers stay until a later write that has seen them supersedes them.
 *
 * @param path keys from the document root to the register
 * @param winner the value a last-writer-wins read returns
 * @param losers the other concurrent values, greatest first; each dot names its origin replica
 */
public record Conflict(List<String> path, Versioned winner, List<Versioned> losers) {
  /** Creates a conflict record. */
  public Conflict {
    path = List.copyOf(path);
    losers = List.copyOf(losers);
  }
}
