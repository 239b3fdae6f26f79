package dev.converge.core.protocol;

import dev.converge.core.crdt.Document;
import java.util.Objects;

/**
 * A document state or delta carried by a message, in either of its two forms: {@link Decoded} as a
 * value, or {@link Text} already in its wire encoding. The codec writes both to the same bytes for
 * equal documents, so one set of message records serves both: a decoder and a device build messages
 * of values, and a server that keeps every logged delta and stored state as the text the codec
 * wrote splices that text in instead of encoding the document again.
 *
 * <p>Text is trusted, not checked: pass only text this system's codec wrote ({@link
 * ProtocolCodec#encodeDocument}), never input received from a peer. A decoded message always holds
 * {@link Decoded} payloads.
 */
public sealed interface Payload permits Payload.Decoded, Payload.Text {

  /** Returns a payload holding {@code document} as a value. */
  static Payload of(Document document) {
    return new Decoded(document);
  }

  /** Returns a payload holding a document's wire encoding, written as it is. */
  static Payload text(String json) {
    return new Text(json);
  }

  /**
   * Returns the document of a decoded payload.
   *
   * @throws IllegalStateException if this payload is encoded text (decode it with the codec)
   */
  Document document();

  /** A document as a value, encoded when the message is written. */
  record Decoded(Document document) implements Payload {
    /** Creates a decoded payload. */
    public Decoded {
      Objects.requireNonNull(document, "document");
    }
  }

  /** A document already in its wire encoding, spliced into the frame as it is. */
  record Text(String json) implements Payload {
    /** Creates an encoded payload. */
    public Text {
      Objects.requireNonNull(json, "json");
    }

    @Override
    public Document document() {
      // Decoding here would need the codec and its limits; a sender never reads its own text back.
      throw new IllegalStateException("an encoded payload holds text, not a document");
    }
  }
}
