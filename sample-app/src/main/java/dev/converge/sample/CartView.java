package dev.converge.sample;

import dev.converge.sdk.FieldConflict;
import dev.converge.sdk.FieldValue;
import dev.converge.sdk.SpaceStatus;
import dev.converge.sdk.SyncStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SortedMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The shell's rendering: turns the cart, the profile, conflicts and the sync status into the text
 * the shell prints. No input and no SDK calls: what it shows is passed in.
 */
final class CartView {

  private final String serverDescription;
  private final Supplier<String> tokenProblem;

  /**
   * Creates a view that names the server as {@code serverDescription}.
   *
   * @param tokenProblem the last reason no token could be had, or null; shown while not connected
   */
  CartView(String serverDescription, Supplier<String> tokenProblem) {
    this.serverDescription = serverDescription;
    this.tokenProblem = Objects.requireNonNull(tokenProblem, "tokenProblem");
  }

  /** How the server is named in messages. */
  String server() {
    return serverDescription;
  }

  /**
   * The sync indicator: {@code [online]}, or what is wrong, such as {@code [offline, 2 pending]}.
   */
  static String indicator(SyncStatus status) {
    List<String> parts = new ArrayList<>();
    switch (status.connection()) {
      case ONLINE -> {}
      case OFFLINE, PAUSED, DISCONNECTED -> parts.add("offline");
      case AUTH_FAILED -> parts.add("offline: no valid token");
      case LOCAL_ONLY -> parts.add("local only");
      case CLOSED -> parts.add("closed");
    }
    if (status.pendingChanges() > 0) {
      parts.add(status.pendingChanges() + " pending");
    }
    long behind = status.spaces().values().stream().mapToLong(SpaceStatus::behindChanges).sum();
    if (behind > 0) {
      parts.add(behind + " behind");
    }
    if (status.rejectedChanges() > 0) {
      parts.add(status.rejectedChanges() + " rejected");
    }
    if (parts.isEmpty()) {
      parts.add("online");
    }
    return "[" + String.join(", ", parts) + "]";
  }

  static String describeCart(SortedMap<String, Long> items) {
    if (items.isEmpty()) {
      return "cart is empty";
    }
    long units = items.values().stream().mapToLong(Long::longValue).sum();
    int width = items.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder text =
        new StringBuilder(
            "cart ("
                + items.size()
                + (items.size() == 1 ? " item, " : " items, ")
                + units
                + (units == 1 ? " unit):" : " units):"));
    items.forEach(
        (sku, qty) -> text.append("\n  ").append(pad(sku, width)).append("  ").append(qty));
    return text.toString();
  }

  static String describeProfile(SortedMap<String, Object> fields) {
    if (fields.isEmpty()) {
      return "profile is empty";
    }
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder text = new StringBuilder("profile:");
    fields.forEach(
        (field, value) ->
            text.append("\n  ").append(pad(field, width)).append("  ").append(text(value)));
    return text.toString();
  }

  /** The cart on one line, for the echo of a change from another device. */
  static String cartLine(SortedMap<String, Long> items) {
    return items.isEmpty()
        ? "empty"
        : items.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }

  /** The profile on one line, for the echo of a change from another device. */
  static String profileLine(SortedMap<String, Object> fields) {
    return fields.isEmpty()
        ? "empty"
        : fields.entrySet().stream()
            .map(e -> e.getKey() + "=" + text(e.getValue()))
            .collect(Collectors.joining(", "));
  }

  /** One line per conflicting field: the winner, who wrote it, and what it won over. */
  static String describeConflicts(List<FieldConflict> conflicts, String ownReplicaId) {
    if (conflicts.isEmpty()) {
      return "no conflicts";
    }
    return conflicts.stream()
        .sorted((a, b) -> a.field().compareTo(b.field()))
        .map(
            c ->
                c.field()
                    + ": "
                    + describeValue(c.winner(), ownReplicaId)
                    + " won over "
                    + c.losers().stream()
                        .map(v -> describeValue(v, ownReplicaId))
                        .collect(Collectors.joining(", "))
                    + " (last writer wins; set the field again to settle it)")
        .collect(Collectors.joining("\n"));
  }

  private static String describeValue(FieldValue value, String ownReplicaId) {
    String origin =
        value.replicaId().equals(ownReplicaId) ? "this device" : "replica " + value.replicaId();
    return quoted(value.value()) + " from " + origin;
  }

  String describeStatus(SyncStatus status) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "connection: "
            + switch (status.connection()) {
              case ONLINE -> "online, syncing with " + serverDescription;
              case OFFLINE ->
                  "offline: cannot reach " + serverDescription + " (retrying in the background)";
              case PAUSED, DISCONNECTED -> "offline: sync turned off (type online)";
              case AUTH_FAILED -> "offline: " + authProblem(status);
              case LOCAL_ONLY -> "local only (no server)";
              case CLOSED -> "closed";
            });
    lines.add(
        "pending:    "
            + status.pendingChanges()
            + " local changes not yet confirmed by the server");
    if (status.rejectedChanges() > 0) {
      lines.add("rejected:   " + status.rejectedChanges() + " changes the server refused");
    }
    lines.add("last ack:   " + status.lastAck().map(Object::toString).orElse("none since start"));
    status.spaces().values().stream()
        .sorted((a, b) -> a.space().compareTo(b.space()))
        .forEach(s -> lines.add("space " + s.space() + ": " + describeSpace(s)));
    return String.join("\n", lines);
  }

  private static String describeSpace(SpaceStatus s) {
    if (s.forbidden()) {
      return "refused by the server";
    }
    if (s.caughtUp()) {
      return "at change " + s.cursor() + ", caught up as far as this device knows";
    }
    return s.behindChanges()
        + " changes behind for "
        + seconds(s.behindFor())
        + (s.snapshotInProgress() ? " (receiving a snapshot)" : "");
  }

  /** Why the device is not connected for want of a token. */
  String authProblem(SyncStatus status) {
    String problem = tokenProblem.get();
    return problem != null
        ? "no token: " + problem
        : "the server refused the token ("
            + Objects.requireNonNullElse(status.lastError(), "unknown reason")
            + ")";
  }

  static String seconds(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0
        ? millis / 1000 + " s"
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /**
   * A conflicting value as JSON shows it: strings in quotes, so that "1" the string and 1 the
   * number read apart.
   */
  static String quoted(Object value) {
    return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
  }

  /** A profile value as the user typed it: strings bare, anything else as Java prints it. */
  static String text(Object value) {
    return String.valueOf(value);
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
