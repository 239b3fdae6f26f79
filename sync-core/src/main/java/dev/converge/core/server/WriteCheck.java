package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import java.util.Optional;

/**
 * A deployment's own rule about what may be written, run by {@link PushRules#decide} for every new
 * changeset that passed the built-in checks, inside the push's transaction: a refusal consumes the
 * changeset ({@code write_refused}) like any other.
 *
 * <p>Must be fast, deterministic and free of I/O: it runs while the space's lock is held.
 */
@FunctionalInterface
public interface WriteCheck {

  /** A check that accepts everything. */
  WriteCheck NONE = (subject, changeset, current) -> Optional.empty();

  /**
   * Checks one changeset.
   *
   * @param subject the pushing token's subject
   * @param changeset the changeset, its delta decoded
   * @param current the document as stored before this changeset (a copy: changing it has no
   *     effect); empty for a new document
   * @return why the write is refused (sent to the pusher in {@code error.message}), or empty
   */
  Optional<String> check(String subject, Changeset changeset, Document current);
}
