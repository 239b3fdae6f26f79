package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push mark: a number the store raises before each push leaves it, kept in the database (meta
 * {@link #KEY}) and in a small file beside it ({@code <file>-pushmark}).
 *
 * <p>It notices what the install fingerprint cannot: a database restored <i>in place</i> (its bytes
 * written back into the same file, same path and inode) after it pushed. The restored database
 * holds an older mark than the file beside it, so at open the store knows that its replica id may
 * have pushed dots this database never issued, and re-keys before the app writes anything: a write
 * made after such a restore would otherwise reuse a dot its lost future used for another write, and
 * be refused ({@code dot_reused}). A restore that writes the file beside it back too (a backup of
 * the whole directory) is not noticed here; the server then tells the device, as before.
 *
 * <p>Order of writes: the database's mark commits first, then the file is replaced (write aside,
 * atomic move), then the push leaves. A crash in between leaves the database ahead of the file,
 * which is never taken for a restore. The file is not synced to disk on every push: a power loss
 * right after a push may lose its latest value, which weakens the check, never the data.
 */
final class PushMark {

  private static final Logger LOG = LoggerFactory.getLogger(PushMark.class);

  /** The {@code meta} key of the database's mark. */
  static final String KEY = "push_mark";

  /** The suffix of the file beside the database. */
  static final String SUFFIX = "-pushmark";

  private final Path side;
  private long value;
  private long published;

  private PushMark(Path side, long value, long published) {
    this.side = side;
    this.value = value;
    this.published = published;
  }

  /** Reads the database's mark and the one beside {@code file} (0 where none was kept). */
  static PushMark read(SqlDatabase db, Path file) throws SQLException {
    String stored = MetaTable.get(db, KEY);
    Path side = file.resolveSibling(file.getFileName() + SUFFIX);
    return new PushMark(side, stored == null ? 0 : Long.parseLong(stored), readSide(side));
  }

  private static long readSide(Path side) {
    try {
      return Long.parseLong(new String(Files.readAllBytes(side), StandardCharsets.US_ASCII).trim());
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException | NumberFormatException e) {
      LOG.warn("unreadable push mark {} ({}); ignored", side, e.toString());
      return 0;
    }
  }

  /** Whether the file beside holds a later mark than the database: restored behind its back. */
  boolean restoredBehind() {
    return published > value;
  }

  /**
   * Takes the later of the two marks as the database's, so that a database found restored is not
   * found so again at its next open. The caller runs it in a transaction.
   */
  void adopt(SqlDatabase db) throws SQLException {
    if (published > value) {
      value = published;
      MetaTable.put(db, KEY, Long.toString(value));
    }
  }

  /** Raises the database's mark before a push; the caller commits, then calls {@link #publish}. */
  void raise(SqlDatabase db) throws SQLException {
    value++;
    MetaTable.put(db, KEY, Long.toString(value));
  }

  /** Writes the database's committed mark beside it, if it is later than the one there. */
  void publish() {
    if (value <= published) {
      return;
    }
    try {
      Path aside = side.resolveSibling(side.getFileName() + ".new");
      Files.write(aside, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
      Files.move(aside, side, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      published = value;
    } catch (IOException e) {
      // The push goes on: the mark only sharpens a check a restore may need.
      LOG.warn("could not write the push mark {}: {}", side, e.toString());
    }
  }
}
