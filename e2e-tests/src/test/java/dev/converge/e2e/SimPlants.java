package dev.converge.e2e;

import dev.converge.core.protocol.Message;
import dev.converge.core.server.LogEntry;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The known bugs a run may plant in the simulated server, proving that the checkers catch what the
 * simulation is for. Several are joined with {@code +}; empty for none.
 *
 * <ul>
 *   <li>{@code ack-without-commit}: a device's first push acked without being applied;
 *   <li>{@code skip-change}: the changes of device {@code d1} never sent to device {@code d0},
 *       while its cursor moves past them;
 *   <li>{@code skip-one}: one change of {@code d1} dropped on its way to {@code d0} (the cursor
 *       moves past it), which only a digest round repairs;
 *   <li>{@code stall}: the pushes of device {@code d0} never answered after its first;
 *   <li>{@code stale-token} (carried out by {@link SimDevice}): device {@code d0} handed its first
 *       token forever;
 *   <li>{@code digest-blind}: every digest leaf answered "nothing differs";
 *   <li>{@code lineage-blind}: a predecessor declared at {@code hello} never recorded, as if the
 *       server skipped {@code ReplicaLineages.declare}: the writes a restored file made under its
 *       old replica id, pushed under the new one after its re-key, are refused {@code dot_forged}.
 * </ul>
 */
final class SimPlants {

  private final String plant;
  private final SimFigures figures;
  private boolean ackedWithoutCommit;
  private boolean skippedOne;

  SimPlants(String plant, SimFigures figures) {
    this.plant = plant;
    this.figures = figures;
  }

  /** Whether {@code bug} is planted. */
  boolean has(String bug) {
    return List.of(plant.split("\\+")).contains(bug);
  }

  /** Carries out a planted bug on a push; returns whether the push was swallowed by it. */
  boolean swallowPush(SimNet.Link link, Message.Push push, BiConsumer<SimNet.Link, Message> send) {
    var first = push.changesets().get(0);
    if (has("ack-without-commit") && !ackedWithoutCommit && first.seq() == 1) {
      ackedWithoutCommit = true;
      figures.count("planted");
      var last = push.changesets().get(push.changesets().size() - 1);
      send.accept(link, new Message.Ack(first.replicaId(), last.seq(), List.of()));
      return true;
    }
    if (has("stall") && link.device.name().equals("d0") && first.seq() > 1) {
      figures.count("planted");
      return true;
    }
    return false;
  }

  /**
   * Carries out {@code lineage-blind} on a hello that declares a predecessor: returns whether the
   * declaration is to be ignored.
   */
  boolean ignorePredecessor() {
    if (!has("lineage-blind")) {
      return false;
    }
    figures.count("planted");
    return true;
  }

  /** Whether a planted bug drops {@code entry} on its way to the device of {@code link}. */
  boolean skip(SimNet.Link link, LogEntry entry) {
    if (link.device.name().equals("d0")
        && entry.replicaId().startsWith("d1.")
        && (has("skip-change") || (has("skip-one") && !skippedOne))) {
      figures.count("planted");
      skippedOne = true;
      return true;
    }
    return false;
  }
}
