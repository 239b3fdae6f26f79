package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The <i>install fingerprint</i> of a store file: its absolute path and its file-system identity
 * (device and inode where the platform reports them). SQLite writes its file in place, so the
 * fingerprint stays while the file lives where it was created; a copy to another device, a restore
 * from a backup or a move gets a new inode or path. Stateless.
 *
 * <p>On open, a mismatch means another copy of this database may be using the same replica id, so
 * the store re-keys (new replica id, unsent changes renumbered from 1): both copies then make
 * distinct dots and seqs. Unsent changes the copies share carry the same content on both, and
 * re-sending them under the new id is a harmless duplicate join. A false alarm (say, the app moved
 * its data directory) only costs one more replica id in version vectors.
 */
final class InstallFingerprint {

  private static final Logger LOG = LoggerFactory.getLogger(InstallFingerprint.class);

  /** The {@code meta} key the fingerprint is recorded under. */
  static final String KEY = "fingerprint";

  private InstallFingerprint() {}

  /** Computes the install fingerprint of {@code file}. */
  static String of(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Object fileKey = null;
    try {
      fileKey = Files.readAttributes(absolute, BasicFileAttributes.class).fileKey();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("no file key for {}: {}", absolute, e.toString());
    }
    return absolute + "|" + (fileKey == null ? "-" : fileKey.toString());
  }

  /**
   * Returns whether another fingerprint than {@code current} was recorded: the file is a copy or a
   * restore. Reads only; {@link #record} follows once the store acted on it.
   */
  static boolean changed(SqlDatabase db, String current) throws SQLException {
    String recorded = MetaTable.get(db, KEY);
    return recorded != null && !current.equals(recorded);
  }

  /** Records {@code current} as the file's fingerprint. The caller runs it in a transaction. */
  static void record(SqlDatabase db, String current) throws SQLException {
    if (!current.equals(MetaTable.get(db, KEY))) {
      MetaTable.put(db, KEY, current);
    }
  }
}
