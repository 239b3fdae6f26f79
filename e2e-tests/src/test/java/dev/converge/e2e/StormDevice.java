package dev.converge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One device of the storm: an SDK replica on its own SQLite file, reaching the server through its
 * own {@link FaultProxy}, either in this JVM ({@link Local}) or in a child process that the storm
 * can SIGKILL ({@link Remote}). Both run {@link StormOps} requests.
 */
abstract class StormDevice implements AutoCloseable {

  /** The request failed at the call (a {@link SyncException}): it changed nothing. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    Refused(String code, String message) {
      super(code + ": " + message);
      this.code = code;
    }
  }

  /**
   * The process died with the request outstanding, or never answered it: it may or may not have
   * happened.
   */
  static final class Lost extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean hung;

    Lost(String message) {
      this(message, false);
    }

    Lost(String message, boolean hung) {
      super(message);
      this.hung = hung;
    }
  }

  /** The device is not running; the request was not sent. */
  static final class Down extends Exception {
    private static final long serialVersionUID = 1L;

    Down(String message) {
      super(message);
    }
  }

  final String name;
  final String user;
  final Path db;
  final URI syncUri;
  final String token;
  final List<String> spaces;
  final List<String> foreign;

  StormDevice(
      String name,
      String user,
      Path db,
      URI syncUri,
      String token,
      List<String> spaces,
      List<String> foreign) {
    this.name = name;
    this.user = user;
    this.db = db;
    this.syncUri = syncUri;
    this.token = token;
    this.spaces = List.copyOf(spaces);
    this.foreign = List.copyOf(foreign);
  }

  /** Whether this device runs in a child process. */
  abstract boolean remote();

  /** Opens the replica (starts the process). */
  abstract void start() throws IOException, InterruptedException;

  /** Stops the replica abruptly: SIGKILL for a process, close for a client in this JVM. */
  abstract void crash() throws InterruptedException;

  /** Whether the replica is open. */
  abstract boolean running();

  /** Runs one {@link StormOps} request. */
  abstract ObjectNode call(ObjectNode op) throws Refused, Lost, Down;

  /** Waits for {@code syncNow(timeout)}. */
  abstract void syncNow(Duration timeout) throws Refused, Lost, Down;

  @Override
  public void close() {
    try {
      crash();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name;
  }

  /** A replica in this JVM. */
  static final class Local extends StormDevice {
    private volatile SyncClient client;

    Local(
        String name,
        String user,
        Path db,
        URI syncUri,
        String token,
        List<String> spaces,
        List<String> foreign) {
      super(name, user, db, syncUri, token, spaces, foreign);
    }

    @Override
    boolean remote() {
      return false;
    }

    @Override
    synchronized void start() {
      client = StormOps.open(db, syncUri, token, spaces, name, foreign);
    }

    @Override
    synchronized void crash() {
      SyncClient current = client;
      client = null;
      if (current != null) {
        current.close();
      }
    }

    @Override
    boolean running() {
      return client != null;
    }

    @Override
    ObjectNode call(ObjectNode op) throws Refused, Down {
      SyncClient current = client;
      if (current == null) {
        throw new Down(name + " is closed");
      }
      try {
        return StormOps.execute(current, op);
      } catch (SyncException e) {
        if (e.code() == SyncException.Code.CLOSED) {
          throw new Down(name + " closed");
        }
        throw new Refused(e.code().name(), e.getMessage());
      }
    }

    @Override
    void syncNow(Duration timeout) throws Refused, Down {
      SyncClient current = client;
      if (current == null) {
        throw new Down(name + " is closed");
      }
      try {
        current.syncNow(timeout).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        String code = cause instanceof SyncException s ? s.code().name() : "INTERNAL";
        throw new Refused(code, String.valueOf(cause));
      } catch (TimeoutException e) {
        throw new Refused("TIMEOUT", "syncNow future not completed after its timeout");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Refused("INTERRUPTED", "interrupted");
      } catch (SyncException e) {
        throw new Refused(e.code().name(), e.getMessage());
      }
    }
  }

  /** A replica in a child JVM running {@link StormClientMain}. */
  static final class Remote extends StormDevice {
    private final Path log;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private volatile Process process;
    private volatile OutputStream stdin;

    Remote(
        String name,
        String user,
        Path db,
        URI syncUri,
        String token,
        List<String> spaces,
        List<String> foreign,
        Path log) {
      super(name, user, db, syncUri, token, spaces, foreign);
      this.log = log;
    }

    @Override
    boolean remote() {
      return true;
    }

    @Override
    synchronized void start() throws IOException, InterruptedException {
      if (running()) {
        return;
      }
      String classpath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(
          List.of(
              "-Xmx96m",
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "--enable-native-access=ALL-UNNAMED",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
              "-Dorg.slf4j.simpleLogger.showDateTime=true",
              "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
              "-cp",
              classpath,
              StormClientMain.class.getName(),
              db.toString(),
              syncUri.toString(),
              token,
              name));
      command.addAll(spaces);
      command.add("--foreign");
      command.addAll(foreign);
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Process started = builder.start();
      CompletableFuture<JsonNode> ready = new CompletableFuture<>();
      pending.put(0L, ready);
      Thread reader = new Thread(() -> readReplies(started), name + "-replies");
      reader.setDaemon(true);
      reader.start();
      process = started;
      stdin = started.getOutputStream();
      try {
        ready.get(90, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        started.destroyForcibly();
        throw new IOException(name + " did not start; see " + log, e);
      }
    }

    private void readReplies(Process from) {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          JsonNode reply = StormOps.JSON.readTree(line);
          CompletableFuture<JsonNode> waiting = pending.remove(reply.path("id").asLong());
          if (waiting != null) {
            waiting.complete(reply);
          }
        }
      } catch (IOException e) {
        // the process died: its outstanding requests are failed below
      }
      failPending(from);
    }

    private void failPending(Process from) {
      if (process != from && process != null) {
        return;
      }
      for (Long id : List.copyOf(pending.keySet())) {
        CompletableFuture<JsonNode> waiting = pending.remove(id);
        if (waiting != null) {
          waiting.completeExceptionally(new Lost(name + " died"));
        }
      }
    }

    @Override
    void crash() throws InterruptedException {
      Process current = process;
      if (current != null) {
        current.destroyForcibly();
        current.waitFor(30, TimeUnit.SECONDS);
      }
      synchronized (this) {
        failPending(current);
        process = null;
        stdin = null;
      }
    }

    @Override
    boolean running() {
      Process current = process;
      return current != null && current.isAlive();
    }

    @Override
    ObjectNode call(ObjectNode op) throws Refused, Lost, Down {
      return request(op, Duration.ofSeconds(120));
    }

    @Override
    void syncNow(Duration timeout) throws Refused, Lost, Down {
      ObjectNode op = StormOps.NODES.objectNode().put("op", "syncNow");
      op.put("timeoutMs", timeout.toMillis());
      request(op, timeout.plusSeconds(30));
    }

    private ObjectNode request(ObjectNode op, Duration wait) throws Refused, Lost, Down {
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      long id;
      synchronized (this) {
        OutputStream out = stdin;
        if (out == null || !running()) {
          throw new Down(name + " is not running");
        }
        id = ids.incrementAndGet();
        ObjectNode request = op.deepCopy();
        request.put("id", id);
        pending.put(id, reply);
        try {
          out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        } catch (IOException e) {
          pending.remove(id);
          // Written in part or not at all to a dying process: it may have been read.
          throw new Lost(name + ": " + e.getMessage());
        }
      }
      JsonNode answer;
      try {
        answer = reply.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw new Lost(e.getCause().getMessage());
      } catch (TimeoutException e) {
        pending.remove(id);
        throw new Lost(name + ": no reply to " + op.path("op").asText() + " within " + wait, true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Lost(name + ": interrupted");
      }
      if (!answer.path("ok").asBoolean()) {
        String code = answer.path("code").asText();
        if ("CLOSED".equals(code)) {
          throw new Down(name + " closed");
        }
        throw new Refused(code, answer.path("error").asText());
      }
      return (ObjectNode) answer.path("result");
    }
  }
}
