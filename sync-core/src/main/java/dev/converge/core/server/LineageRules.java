package dev.converge.core.server;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Re-key lineage (DESIGN §7): a device that takes a new replica id declares, at {@code hello}, the
 * id it succeeds, and its changesets may then carry the predecessor's dots. One copy of the rules,
 * for the server's {@code ReplicaLineages} and for any simulation.
 */
public final class LineageRules {

  /**
   * How far back a chain of re-keys is followed; a device re-keys a handful of times in its life.
   */
  public static final int MAX_DEPTH = 16;

  private LineageRules() {}

  /** One link of a re-key chain: {@code successor} succeeds {@code predecessor}. */
  public record Link(String successor, String predecessor) {}

  /**
   * Returns the links a hello's chain names beyond its own declaration: {@code predecessor}
   * succeeds {@code lineage[0]}, which succeeds {@code lineage[1]}, and so on, nearest first; a
   * chain that comes back to an id it holds ends there.
   */
  public static List<Link> olderLinks(String predecessor, List<String> lineage) {
    List<Link> links = new ArrayList<>();
    Set<String> seen = new HashSet<>(List.of(predecessor));
    String from = predecessor;
    for (String to : lineage) {
      if (!seen.add(to)) {
        break;
      }
      links.add(new Link(from, to));
      from = to;
    }
    return links;
  }

  /**
   * Checks that {@code replicaId}, of {@code subject}, may declare {@code predecessor}, whose
   * recorded owner is {@code predecessorOwner} (an id never seen before is recorded for {@code
   * subject} first, so it passes): only a replica of the same subject can be succeeded, so a member
   * can never adopt another member's dots.
   *
   * @return {@code invalid} for the replica itself, {@code replica_forged} for another subject's
   *     replica, or empty when the declaration stands
   */
  public static Optional<Violation> checkDeclaration(
      String subject, String replicaId, String predecessor, String predecessorOwner) {
    if (replicaId.equals(predecessor)) {
      return Optional.of(
          new Violation(ErrorCode.INVALID, "a replica cannot be its own predecessor"));
    }
    if (!predecessorOwner.equals(subject)) {
      return Optional.of(
          new Violation(
              ErrorCode.REPLICA_FORGED,
              "predecessor '"
                  + predecessor
                  + "' belongs to another user; only a replica of the same user can be succeeded"));
    }
    return Optional.empty();
  }

  /**
   * Returns the lineage of {@code replicaId}: itself and the chain of predecessors it declared,
   * nearest first, at most {@link #MAX_DEPTH} of them; a chain that comes back to an id it holds
   * ends there.
   */
  public static Lineage lineage(String replicaId, List<String> chain) {
    Set<String> predecessors = new LinkedHashSet<>();
    for (String id : chain) {
      if (predecessors.size() == MAX_DEPTH || !predecessors.add(id)) {
        break;
      }
    }
    predecessors.remove(replicaId);
    return new Lineage(replicaId, predecessors);
  }
}
