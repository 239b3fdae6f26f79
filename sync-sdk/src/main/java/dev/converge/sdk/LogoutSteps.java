package dev.converge.sdk;

import dev.converge.sdk.internal.engine.SyncEngine;
import dev.converge.sdk.internal.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of {@link SyncClient#unsubscribe(String, UnsentChanges)} and {@link
 * SyncClient#clearLocalData(UnsentChanges)} (DESIGN §7: unsubscribe and logout go through the
 * purge, retire the replica id, leave the live set, and delete the {@code -wal}/{@code -shm} files
 * too). Stateless.
 */
final class LogoutSteps {

  /** The files SQLite keeps beside the database file. */
  private static final List<String> SIDE_FILES =
      List.of("-wal", "-shm", "-journal", "-pushmark", "-pushmark.new");

  private LogoutSteps() {}

  static void unsubscribe(ClientCore client, String space, UnsentChanges unsent) {
    SyncEngine engine = client.engine();
    long pending = client.storeRead(s -> s.pendingCount(space));
    if (pending > 0 && unsent == UnsentChanges.REFUSE) {
      throw new SyncException(
          SyncException.Code.UNSENT_CHANGES,
          "space '" + space + "' has " + pending + " unsent changes; sync first or discard them");
    }
    engine.unsubscribe(List.of(space));
    if (client.storeRead(Store::spacesHeld).contains(space)) {
      throw new SyncException(
          SyncException.Code.STORAGE, "the local data of space '" + space + "' was not purged");
    }
  }

  static List<RejectedChange> clear(ClientCore client, UnsentChanges unsent) {
    SyncEngine engine = client.engine();
    long pending = client.storeRead(Store::pendingCount);
    if (pending > 0 && unsent == UnsentChanges.REFUSE) {
      throw new SyncException(
          SyncException.Code.UNSENT_CHANGES,
          pending + " local changes are unsent; sync first or discard them");
    }
    // Each space goes through the purge, and, when connected, the server hears the unsubscribe:
    // the replica leaves every live set before its id disappears with the file.
    List<String> held = client.storeRead(Store::spacesHeld);
    if (!held.isEmpty()) {
      engine.unsubscribe(held);
    }
    List<RejectedChange> handedBack = new ArrayList<>(client.storeRead(Store::rejected));
    Path file = client.store().file();
    if (!client.close()) {
      throw new SyncException(SyncException.Code.CLOSED, "client is closed");
    }
    delete(file);
    return handedBack;
  }

  /** Deletes the database file and its side files; fails if one of them stays. */
  static void delete(Path file) {
    List<Path> paths = new ArrayList<>();
    paths.add(file);
    for (String suffix : SIDE_FILES) {
      paths.add(file.resolveSibling(file.getFileName() + suffix));
    }
    for (Path path : paths) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        throw new SyncException(
            SyncException.Code.STORAGE, "could not delete " + path + ": " + e.getMessage(), e);
      }
      if (Files.exists(path)) {
        throw new SyncException(SyncException.Code.STORAGE, path + " still exists");
      }
    }
  }
}
