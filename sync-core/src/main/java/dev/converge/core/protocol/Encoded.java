package dev.converge.core.protocol;

import java.util.List;

/**
 * Messages whose parts are already in the wire encoding and have no decoded form of their own: a
 * {@code push} of changesets as {@link ProtocolCodec#encodeChangeset} wrote them, which {@link
 * ProtocolCodec#encode(Encoded)} splices into the frame as they are. Encode once, send many times:
 * a device keeps the push-ready text of every unsent change. (Documents inside messages have their
 * own two forms, {@link Payload}, within the one set of {@link Message} records.)
 *
 * <p>A frame written from an {@code Encoded} message is byte for byte the frame of the equal {@link
 * Message}, since one writer lays out both. The text is trusted, not checked: pass only text this
 * system's codec wrote, never input received from a peer. Records are immutable.
 */
public sealed interface Encoded permits Encoded.Push {

  /** Returns the wire name of this message's type, as {@link Message#type()}. */
  default String type() {
    return WireNames.of(this);
  }

  /**
   * {@link Message.Push} with its changesets already encoded, each as {@link
   * ProtocolCodec#encodeChangeset} wrote it: a device keeps the push-ready text of every unsent
   * change, so a retry sends the very bytes of the first attempt.
   *
   * @param changesets the changesets' wire encodings, in seq order, written as they are
   * @param stable the stable points to report, possibly empty
   */
  record Push(List<String> changesets, List<MessageParts.SpaceStable> stable) implements Encoded {
    /** Creates a push. */
    public Push {
      changesets = List.copyOf(changesets);
      stable = stable == null ? List.of() : List.copyOf(stable);
    }
  }
}
