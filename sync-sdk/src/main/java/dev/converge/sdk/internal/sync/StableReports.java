package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.internal.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reports the replica's stable points to the server (docs/protocol-2.md, "Stable points"), which
 * compacts a space's counters only up to the least point of its live replicas:
 *
 * <ul>
 *   <li>every subscription of {@code hello} carries its space's point;
 *   <li>a push carries the points that rose since the session last told them ({@code push.stable});
 *   <li>a point that rose while nothing is pushed (the cursor moved on, the outbox emptied) goes
 *       out in a {@code sync{ref, stable}} after at most {@link SyncMachine#STABLE_REPORT_DELAY},
 *       with the latest points: at most one such report per delay, whatever the rate of changes.
 * </ul>
 *
 * <p>The store computes the points ({@link Store#stablePoint}) and every point is recorded there
 * before the message carrying it is emitted ({@link Store#stableReported}), so a replica never
 * reports a point lower than one it sent, even across a crash right after sending. A space the
 * store withholds (its honest point is below one already reported) is left out until it climbs
 * back. A push that fails as a whole tells its points again; a {@code sync} report is not repeated
 * (the next rise or the next {@code hello} carries the point anyway).
 *
 * <p>Not thread-safe: part of its machine.
 */
final class StableReports {

  private final Store store;
  private final List<String> spaces;
  private final Effects effects;

  /** What this session has told the server, per space. */
  private final Map<String, Long> told = new HashMap<>();

  StableReports(Store store, List<String> spaces, Effects effects) {
    this.store = store;
    this.spaces = spaces;
    this.effects = effects;
  }

  /** The subscriptions of a new session's {@code hello}: each space's cursor and stable point. */
  List<MessageParts.Subscription> hello() {
    told.clear();
    Map<String, Long> points = new LinkedHashMap<>();
    List<MessageParts.Subscription> subscriptions = new ArrayList<>();
    for (String space : spaces) {
      long cursor = store.cursor(space);
      OptionalLong point = store.stablePoint(space);
      // The log chain at the cursor: the server tells from it whether it lost this history.
      String epoch = cursor > 0 ? store.epoch(space) : null;
      if (point.isPresent()) {
        points.put(space, point.getAsLong());
        subscriptions.add(new MessageParts.Subscription(space, cursor, point.getAsLong(), epoch));
      } else {
        subscriptions.add(new MessageParts.Subscription(space, cursor, null, epoch));
      }
    }
    store.stableReported(points);
    told.putAll(points);
    return subscriptions;
  }

  /**
   * The subscription of one space added on a welcomed session ({@code subscribe}): its cursor and
   * stable point, recorded as reported before it is sent, as in {@link #hello}.
   */
  MessageParts.Subscription subscription(String space) {
    long cursor = store.cursor(space);
    OptionalLong point = store.stablePoint(space);
    if (!point.isPresent()) {
      return new MessageParts.Subscription(space, cursor);
    }
    store.stableReported(Map.of(space, point.getAsLong()));
    told.put(space, point.getAsLong());
    return new MessageParts.Subscription(space, cursor, point.getAsLong());
  }

  /**
   * The points that rose since this session told them, except in {@code skip} (spaces not granted):
   * recorded as reported, to be sent at once in a push or a sync.
   */
  List<MessageParts.SpaceStable> take(Set<String> skip) {
    Map<String, Long> rose = risen(skip);
    if (rose.isEmpty()) {
      return List.of();
    }
    store.stableReported(rose);
    told.putAll(rose);
    List<MessageParts.SpaceStable> points = new ArrayList<>();
    rose.forEach((space, stable) -> points.add(new MessageParts.SpaceStable(space, stable)));
    return points;
  }

  /**
   * Something may have raised a point (changes, a snapshot, an ack): on a welcomed session, sets
   * the report timer unless it is set or nothing rose.
   */
  void mayHaveRisen(boolean welcomed, Set<String> skip) {
    if (!welcomed || effects.armed(new Timer.StableReport())) {
      return;
    }
    if (!risen(skip).isEmpty()) {
      effects.schedule(new Timer.StableReport(), SyncMachine.STABLE_REPORT_DELAY.toMillis());
    }
  }

  /** A push carrying {@code points} failed as a whole: they are told again. */
  void notDelivered(List<MessageParts.SpaceStable> points) {
    for (MessageParts.SpaceStable point : points) {
      told.remove(point.space(), point.stable());
    }
  }

  /** The session ended: the next one starts with its {@code hello}. */
  void sessionEnded() {
    told.clear();
    effects.cancel(new Timer.StableReport());
  }

  private Map<String, Long> risen(Set<String> skip) {
    Map<String, Long> rose = new LinkedHashMap<>();
    for (String space : spaces) {
      if (skip.contains(space)) {
        continue;
      }
      OptionalLong point = store.stablePoint(space);
      if (point.isPresent() && point.getAsLong() > told.getOrDefault(space, -1L)) {
        rose.put(space, point.getAsLong());
      }
    }
    return rose;
  }
}
