package dev.converge.bench.suite;

import static dev.converge.bench.suite.MarkdownTable.code;
import static dev.converge.bench.suite.MarkdownTable.each;
import static dev.converge.bench.suite.MarkdownTable.median;
import static dev.converge.bench.suite.MarkdownTable.num;
import static dev.converge.bench.suite.MarkdownTable.times;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cart storm table: per client count, Converge's median convergence time and bytes per cart
 * operation over the seeds beside each peer's (Yjs, Automerge) from the same run, with the ratio
 * Converge / peer (above 1: Converge is slower or bigger).
 */
final class StormTable {

  /** The peers in table order, with their display names. */
  private static final Map<String, String> PEERS = Map.of("yjs", "Yjs", "automerge", "Automerge");

  private static final List<String> PEER_ORDER = List.of("yjs", "automerge");

  private StormTable() {}

  static String render(SuiteRun run) {
    List<JsonNode> ours =
        run.rows("storm").stream()
            .filter(r -> "converge".equals(r.path("system").asText()))
            .toList();
    if (ours.isEmpty()) {
      return "";
    }
    MarkdownTable table =
        new MarkdownTable("what", "Converge", "peer", "ratio (Converge / peer)", "command");
    StringBuilder notes = new StringBuilder();
    Set<Integer> clientCounts = new TreeSet<>();
    ours.forEach(r -> clientCounts.add(r.path("clients").asInt()));
    for (int c : clientCounts) {
      Map<Integer, JsonNode> convergeBySeed = bySeed(ours, c);
      int m = convergeBySeed.values().iterator().next().path("ops").asInt();
      List<Double> convergeMs = field(convergeBySeed, "convergence_ms");
      List<Double> bytes = field(convergeBySeed, "bytes_per_op");
      String seeds =
          String.join(" / ", convergeBySeed.keySet().stream().map(String::valueOf).toList());
      String convergeCommand = seedless(convergeBySeed.values());
      boolean deflate =
          convergeBySeed.values().stream().allMatch(r -> r.path("deflate").asBoolean());
      for (String peer : PEER_ORDER) {
        Map<Integer, JsonNode> peerBySeed = bySeed(peerRuns(run, peer), c);
        if (peerBySeed.isEmpty()) {
          continue;
        }
        List<Double> peerTimes = field(peerBySeed, "convergence_ms");
        table.row(
            "cart storm C=" + c + ", M=" + m + ", resume -> converged, median of seeds " + seeds,
            num(median(convergeMs), 0) + " ms (" + each(convergeMs, 0) + ")",
            PEERS.get(peer) + " " + num(median(peerTimes), 0) + " ms (" + each(peerTimes, 0) + ")",
            times(median(convergeMs), median(peerTimes)),
            code(List.of(convergeCommand, peerCommand(peer, c, m))));
      }
      for (String peer : PEER_ORDER) {
        Map<Integer, JsonNode> peerBySeed = bySeed(peerRuns(run, peer), c);
        if (peerBySeed.isEmpty()) {
          continue;
        }
        List<Double> peerBytes = field(peerBySeed, "bytes_per_op");
        table.row(
            "bytes on the wire per cart op, C="
                + c
                + " (Converge: permessage-deflate "
                + (deflate ? "negotiated" : "not negotiated")
                + "; peers as their harness runs them)",
            num(median(bytes), 1) + " B",
            PEERS.get(peer) + " " + num(median(peerBytes), 1) + " B",
            times(median(bytes), median(peerBytes)),
            "same runs");
      }
      if (table.isEmpty()) {
        table.row(
            "cart storm C=" + c + ", M=" + m + ", median of seeds " + seeds,
            num(median(convergeMs), 0) + " ms (" + each(convergeMs, 0) + ")",
            "no peer result",
            "n/a",
            code(List.of(convergeCommand)));
      }
      notes
          .append("C=")
          .append(c)
          .append(": Converge's final carts, total quantity per seed ")
          .append(each(field(convergeBySeed, "final_total_qty"), 0))
          .append(
              " (the exact expected totals, checked by the storm before it stops the clock).\n");
    }
    return table + "\n" + notes;
  }

  private static List<JsonNode> peerRuns(SuiteRun run, String peer) {
    return run.peerRuns().stream().filter(r -> peer.equals(r.path("peer").asText())).toList();
  }

  /** The rows for {@code clients}, by seed (the last row of a seed wins: one run per seed). */
  private static Map<Integer, JsonNode> bySeed(List<JsonNode> rows, int clients) {
    Map<Integer, JsonNode> out = new TreeMap<>();
    for (JsonNode r : rows) {
      if (r.path("clients").asInt() == clients) {
        out.put(r.path("seed").asInt(), r);
      }
    }
    return out;
  }

  private static List<Double> field(Map<Integer, JsonNode> bySeed, String name) {
    List<Double> out = new ArrayList<>();
    bySeed.values().forEach(r -> out.add(r.path(name).asDouble(Double.NaN)));
    return out;
  }

  /** The rows' commands with the seed left open (one run per seed). */
  private static String seedless(Iterable<JsonNode> rows) {
    Set<String> commands = new LinkedHashSet<>();
    rows.forEach(
        r -> commands.add(r.path("command").asText().replaceAll("--seeds \\S+", "--seeds <seed>")));
    return String.join("; ", commands);
  }

  private static String peerCommand(String peer, int clients, int ops) {
    return "node "
        + peer
        + "-cart.mjs --clients "
        + clients
        + " --ops "
        + ops
        + " --seeds <seed> --json <file>";
  }
}
