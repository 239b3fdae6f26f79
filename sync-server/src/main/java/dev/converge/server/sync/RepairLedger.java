package dev.converge.server.sync;

import dev.converge.core.digest.DigestTree;
import dev.converge.server.document.DocKey;
import dev.converge.server.metrics.AntiEntropyMetrics.Direction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documents a digest exchange of one session reported as differing, until the device's
 * following exchange finds them equal on both sides: only then is a document counted as repaired
 * (docs/operations.md, "ConvergeRepairsHigh"). A report the device never resolves, or one whose
 * session ends first, is never counted.
 *
 * <p>The direction is the way the state had to travel when the difference was reported: {@link
 * Direction#TO_SERVER} when the server held no state of the document (the device's repair push
 * brought it), {@link Direction#TO_DEVICE} otherwise (the device took the server's state, with
 * whatever of its own lost writes it pushed back).
 *
 * <p>Bounded to {@value #MAX_PENDING} documents per session; reports beyond that are not tracked.
 * Not thread-safe: confined to its session's connection, whose messages are handled one at a time.
 */
final class RepairLedger {

  /** Documents tracked per session at most. */
  static final int MAX_PENDING = 4096;

  private record Pending(String leafPath, Direction direction) {}

  private final Map<DocKey, Pending> pending = new LinkedHashMap<>();

  /** Records that the exchange told the device {@code doc} differs, in {@code direction}. */
  void reported(DocKey doc, Direction direction) {
    if (pending.containsKey(doc) || pending.size() < MAX_PENDING) {
      pending.put(
          doc,
          new Pending(
              DigestTree.leafPath(DigestTree.leafOf(doc.collection, doc.docId)), direction));
    }
  }

  /**
   * Resolves the reports of {@code space} under the nodes at {@code paths}, which the device's
   * exchange found equal on both sides.
   *
   * @return the directions of the documents thereby repaired, one per document
   */
  List<Direction> equalNodes(String space, Collection<String> paths) {
    List<Direction> repaired = new ArrayList<>();
    for (Iterator<Map.Entry<DocKey, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<DocKey, Pending> entry = it.next();
      if (entry.getKey().space.equals(space) && under(entry.getValue().leafPath, paths)) {
        repaired.add(entry.getValue().direction);
        it.remove();
      }
    }
    return repaired;
  }

  /**
   * Resolves the reports of {@code space} in the leaf at {@code leafPath} that the device's
   * exchange compared there and found equal: every one not in {@code stillDiffering}.
   *
   * @return the directions of the documents thereby repaired, one per document
   */
  List<Direction> equalInLeaf(String space, String leafPath, Collection<DocKey> stillDiffering) {
    List<Direction> repaired = new ArrayList<>();
    for (Iterator<Map.Entry<DocKey, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<DocKey, Pending> entry = it.next();
      if (entry.getKey().space.equals(space)
          && entry.getValue().leafPath.equals(leafPath)
          && !stillDiffering.contains(entry.getKey())) {
        repaired.add(entry.getValue().direction);
        it.remove();
      }
    }
    return repaired;
  }

  /** Returns how many reports wait for the device's next exchange. */
  int size() {
    return pending.size();
  }

  private static boolean under(String leafPath, Collection<String> paths) {
    for (String path : paths) {
      if (leafPath.startsWith(path)) {
        return true;
      }
    }
    return false;
  }
}
