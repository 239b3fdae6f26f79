package dev.converge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A storm client in a process of its own, so the storm can SIGKILL it and reopen its SQLite file:
 * one JSON request per line on stdin ({@code {"id": n, "op": ...}}), one JSON reply per line on
 * stdout ({@code {"id": n, "ok": true, "result": {...}}} or {@code {"id": n, "ok": false, "error":
 * "...", "code": "..."}}). Requests run one at a time in arrival order, except {@code status}
 * (answered at once) and {@code syncNow} (answered when it completes). Everything else the process
 * prints goes to stderr. Exits when stdin closes.
 *
 * <p>Arguments: database path, WebSocket URI, token, replica name, the spaces to subscribe, then
 * {@code --foreign} and the spaces whose changes must never arrive.
 */
public final class StormClientMain {

  private StormClientMain() {}

  /** Runs the client until stdin closes. */
  public static void main(String[] args) throws Exception {
    PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    // Logging and anything else printed must not mix with the replies.
    System.setOut(System.err);
    List<String> rest = List.of(args).subList(4, args.length);
    int watch = rest.indexOf("--foreign");
    List<String> spaces = new ArrayList<>(watch < 0 ? rest : rest.subList(0, watch));
    List<String> foreign = watch < 0 ? List.of() : rest.subList(watch + 1, rest.size());
    SyncClient client =
        StormOps.open(Path.of(args[0]), URI.create(args[1]), args[2], spaces, args[3], foreign);
    ExecutorService worker = Executors.newSingleThreadExecutor();
    protocol.println("{\"id\":0,\"ok\":true,\"result\":{\"ready\":true}}");
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode request = StormOps.JSON.readTree(line);
      long id = request.path("id").asLong();
      switch (request.path("op").asText()) {
        case "status" -> reply(protocol, id, () -> StormOps.execute(client, request));
        case "syncNow" -> {
          try {
            client
                .syncNow(Duration.ofMillis(request.path("timeoutMs").asLong(30_000)))
                .whenComplete(
                    (ok, failure) -> {
                      if (failure == null) {
                        send(protocol, ok(id, StormOps.NODES.objectNode()));
                      } else {
                        send(protocol, error(id, failure));
                      }
                    });
          } catch (RuntimeException e) {
            send(protocol, error(id, e));
          }
        }
        default ->
            worker.execute(() -> reply(protocol, id, () -> StormOps.execute(client, request)));
      }
    }
    worker.shutdown();
    client.close();
    System.exit(0);
  }

  private interface Call {
    ObjectNode run();
  }

  private static void reply(PrintStream protocol, long id, Call call) {
    ObjectNode reply;
    try {
      reply = ok(id, call.run());
    } catch (RuntimeException e) {
      reply = error(id, e);
    }
    send(protocol, reply);
  }

  private static ObjectNode ok(long id, ObjectNode result) {
    ObjectNode reply = StormOps.NODES.objectNode();
    reply.put("id", id).put("ok", true).set("result", result);
    return reply;
  }

  private static ObjectNode error(long id, Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && !(cause instanceof SyncException)) {
      cause = cause.getCause();
    }
    ObjectNode reply = StormOps.NODES.objectNode();
    reply.put("id", id).put("ok", false).put("error", String.valueOf(cause));
    reply.put("code", cause instanceof SyncException s ? s.code().name() : "INTERNAL");
    return reply;
  }

  private static void send(PrintStream protocol, ObjectNode reply) {
    synchronized (protocol) {
      protocol.println(reply);
    }
  }
}
