package dev.converge.sdk.internal.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The <i>install fingerprint</i> of a store file: its absolute path and its file-system identity
 * (device and inode where the platform reports them). SQLite writes its file in place, so the
 * fingerprint stays while the file lives where it was created; a copy to another device, a restore
 * from a backup or a move gets a new inode or path. See {@link SqliteStore} for what a mismatch
 * means. Stateless.
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
}
