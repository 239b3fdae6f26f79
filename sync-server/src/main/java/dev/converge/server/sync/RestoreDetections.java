package dev.converge.server.sync;

import dev.converge.server.metrics.AntiEntropyMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts the spaces found restored from a backup at {@code hello} ({@code
 * converge_antientropy_divergent_documents_total{cause="restore"}}): once per device and space. A
 * device told {@code restored} re-keys and says hello again declaring its old id as predecessor,
 * and may reconnect before its repair is through; those hellos find the same space restored again
 * and are not counted again. Kept per server process, for the last {@value #REMEMBERED} (replica,
 * space) pairs; a device whose repeated hello lands on another node is counted there too.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
class RestoreDetections {

  /** (replica, space) pairs remembered at most. */
  static final int REMEMBERED = 10_000;

  private final AntiEntropyMetrics metrics;

  private final Map<String, Boolean> seen =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      };

  RestoreDetections(AntiEntropyMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Counts the spaces of {@code restored} that {@code replicaId} (and {@code predecessor}, the id
   * it declared it succeeds, or null) was not already counted for.
   *
   * @return how many spaces were counted
   */
  synchronized int detected(String replicaId, String predecessor, Collection<String> restored) {
    int counted = 0;
    for (String space : restored) {
      boolean known =
          seen.containsKey(key(replicaId, space))
              || (predecessor != null && seen.containsKey(key(predecessor, space)));
      seen.put(key(replicaId, space), Boolean.TRUE);
      if (!known) {
        counted++;
      }
    }
    if (counted > 0) {
      metrics.divergent(AntiEntropyMetrics.Cause.RESTORE, counted);
    }
    return counted;
  }

  private static String key(String replicaId, String space) {
    return replicaId + '\u0001' + space;
  }
}
