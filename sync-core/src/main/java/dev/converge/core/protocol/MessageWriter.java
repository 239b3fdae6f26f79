package dev.converge.core.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import java.io.IOException;
import java.util.List;

/**
 * Writes protocol messages in their wire form: one layout per message type, shared by {@link
 * Message} and by {@link Encoded}, whose documents are spliced in as already encoded text.
 */
final class MessageWriter {
  private MessageWriter() {}

  static void write(JsonGenerator gen, Message message) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("type", message.type());
    if (message instanceof Message.Hello m) {
      gen.writeNumberField("protocol", m.protocol());
      gen.writeStringField("replicaId", m.replicaId());
      gen.writeArrayFieldStart("subscriptions");
      for (Message.Subscription s : m.subscriptions()) {
        gen.writeStartObject();
        gen.writeStringField("space", s.space());
        gen.writeNumberField("since", s.since());
        if (s.stable() != null) {
          gen.writeNumberField("stable", s.stable());
        }
        gen.writeEndObject();
      }
      gen.writeEndArray();
      if (m.predecessor() != null) {
        gen.writeStringField("predecessor", m.predecessor());
      }
    } else if (message instanceof Message.Welcome m) {
      gen.writeStringField("serverId", m.serverId());
      gen.writeNumberField("protocol", m.protocol());
      gen.writeNumberField("tokenExpiresAt", m.tokenExpiresAt());
      writeSpaceHeads(gen, m.spaces());
    } else if (message instanceof Message.Push m) {
      gen.writeArrayFieldStart("changesets");
      for (Changeset changeset : m.changesets()) {
        writeChangeset(gen, changeset);
      }
      gen.writeEndArray();
      writeStablePoints(gen, m.stable());
    } else if (message instanceof Message.Ack m) {
      gen.writeStringField("replicaId", m.replicaId());
      gen.writeNumberField("upToSeq", m.upToSeq());
      gen.writeArrayFieldStart("results");
      for (Message.AckResult r : m.results()) {
        gen.writeStartObject();
        gen.writeNumberField("seq", r.seq());
        gen.writeNumberField("serverSeq", r.serverSeq());
        gen.writeEndObject();
      }
      gen.writeEndArray();
    } else if (message instanceof Message.Changes m) {
      writeChangesHeader(gen, m.space(), m.from(), m.to());
      for (Message.ChangeItem item : m.items()) {
        writeChangeItem(
            gen,
            item.serverSeq(),
            item.fromSeq(),
            item.collection(),
            item.docId(),
            document(item.delta()),
            item.origin());
      }
      writeListEnd(gen, m.more());
    } else if (message instanceof Message.Snapshot m) {
      writeSnapshotHeader(gen, m.space(), m.head());
      for (Message.SnapshotDoc doc : m.docs()) {
        writeSnapshotDoc(gen, doc.collection(), doc.docId(), document(doc.state()));
      }
      writeListEnd(gen, m.more());
    } else if (message instanceof Message.Auth m) {
      gen.writeStringField("token", m.token());
    } else if (message instanceof Message.Authed m) {
      gen.writeNumberField("tokenExpiresAt", m.tokenExpiresAt());
    } else if (message instanceof Message.Revoked m) {
      gen.writeStringField("space", m.space());
    } else if (message instanceof Message.Sync m) {
      gen.writeNumberField("ref", m.ref());
      writeStablePoints(gen, m.stable());
    } else if (message instanceof Message.Synced m) {
      gen.writeNumberField("ref", m.ref());
      writeSpaceHeads(gen, m.spaces());
    } else if (message instanceof Message.Fetch m) {
      gen.writeNumberField("ref", m.ref());
      gen.writeStringField("space", m.space());
      gen.writeArrayFieldStart("docs");
      for (Message.DocName doc : m.docs()) {
        gen.writeStartObject();
        gen.writeStringField("collection", doc.collection());
        gen.writeStringField("docId", doc.docId());
        gen.writeEndObject();
      }
      gen.writeEndArray();
    } else if (message instanceof Message.Docs m) {
      writeDocsHeader(gen, m.ref(), m.space(), m.head());
      for (Message.SnapshotDoc doc : m.docs()) {
        writeSnapshotDoc(gen, doc.collection(), doc.docId(), document(doc.state()));
      }
      gen.writeEndArray();
    } else if (message instanceof Message.Error m) {
      gen.writeStringField("code", m.code());
      gen.writeStringField("message", m.message());
      if (m.ref() != null) {
        gen.writeNumberField("ref", m.ref());
      }
      if (m.retryAfterMs() != null) {
        gen.writeNumberField("retryAfterMs", m.retryAfterMs());
      }
    }
    gen.writeEndObject();
  }

  private static void writeSpaceHeads(JsonGenerator gen, List<Message.SpaceHead> heads)
      throws IOException {
    gen.writeArrayFieldStart("spaces");
    for (Message.SpaceHead s : heads) {
      gen.writeStartObject();
      gen.writeStringField("space", s.space());
      gen.writeNumberField("head", s.head());
      gen.writeEndObject();
    }
    gen.writeEndArray();
  }

  /** Writes {@code stable: [{space, stable}]}, or nothing when there is none. */
  private static void writeStablePoints(JsonGenerator gen, List<Message.SpaceStable> points)
      throws IOException {
    if (points.isEmpty()) {
      return;
    }
    gen.writeArrayFieldStart("stable");
    for (Message.SpaceStable point : points) {
      gen.writeStartObject();
      gen.writeStringField("space", point.space());
      gen.writeNumberField("stable", point.stable());
      gen.writeEndObject();
    }
    gen.writeEndArray();
  }

  /**
   * Writes a message whose documents are already encoded: the same layout as the equal {@link
   * Message}, with each document's text spliced in as it is.
   */
  static void write(JsonGenerator gen, Encoded message) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("type", message.type());
    if (message instanceof Encoded.Changes m) {
      writeChangesHeader(gen, m.space(), m.from(), m.to());
      for (Encoded.ChangeItem item : m.items()) {
        writeChangeItem(
            gen,
            item.serverSeq(),
            item.fromSeq(),
            item.collection(),
            item.docId(),
            raw(item.deltaJson()),
            item.origin());
      }
      writeListEnd(gen, m.more());
    } else if (message instanceof Encoded.Snapshot m) {
      writeSnapshotHeader(gen, m.space(), m.head());
      for (Encoded.SnapshotDoc doc : m.docs()) {
        writeSnapshotDoc(gen, doc.collection(), doc.docId(), raw(doc.stateJson()));
      }
      writeListEnd(gen, m.more());
    } else if (message instanceof Encoded.Docs m) {
      writeDocsHeader(gen, m.ref(), m.space(), m.head());
      for (Encoded.SnapshotDoc doc : m.docs()) {
        writeSnapshotDoc(gen, doc.collection(), doc.docId(), raw(doc.stateJson()));
      }
      gen.writeEndArray();
    } else if (message instanceof Encoded.Push m) {
      gen.writeArrayFieldStart("changesets");
      for (String changeset : m.changesets()) {
        gen.writeRawValue(changeset);
      }
      gen.writeEndArray();
      writeStablePoints(gen, m.stable());
    }
    gen.writeEndObject();
  }

  /** Writes one document value: encoded from its state, or spliced in from encoded text. */
  interface DocumentValue {
    void write(JsonGenerator gen) throws IOException;
  }

  private static DocumentValue document(Document document) {
    return gen -> ProtocolCodec.DocumentWriter.write(gen, document);
  }

  static DocumentValue raw(String json) {
    return gen -> gen.writeRawValue(json);
  }

  static void writeChangeset(JsonGenerator gen, Changeset c) throws IOException {
    writeChangeset(
        gen,
        c.replicaId(),
        c.seq(),
        c.space(),
        c.collection(),
        c.docId(),
        c.hlc(),
        document(c.delta()));
  }

  /** Writes a changeset: the one layout, whichever form its delta is in. */
  static void writeChangeset(
      JsonGenerator gen,
      String replicaId,
      long seq,
      String space,
      String collection,
      String docId,
      Hlc hlc,
      DocumentValue delta)
      throws IOException {
    gen.writeStartObject();
    gen.writeStringField("replicaId", replicaId);
    gen.writeNumberField("seq", seq);
    gen.writeStringField("space", space);
    gen.writeStringField("collection", collection);
    gen.writeStringField("docId", docId);
    gen.writeStringField("hlc", hlc.toString());
    gen.writeFieldName("delta");
    delta.write(gen);
    gen.writeEndObject();
  }

  private static void writeChangesHeader(JsonGenerator gen, String space, long from, long to)
      throws IOException {
    gen.writeStringField("space", space);
    gen.writeNumberField("from", from);
    gen.writeNumberField("to", to);
    gen.writeArrayFieldStart("items");
  }

  private static void writeSnapshotHeader(JsonGenerator gen, String space, long head)
      throws IOException {
    gen.writeStringField("space", space);
    gen.writeNumberField("head", head);
    gen.writeArrayFieldStart("docs");
  }

  private static void writeDocsHeader(JsonGenerator gen, long ref, String space, long head)
      throws IOException {
    gen.writeNumberField("ref", ref);
    gen.writeStringField("space", space);
    gen.writeNumberField("head", head);
    gen.writeArrayFieldStart("docs");
  }

  /** Closes the items or docs array of a page and writes its {@code more}. */
  private static void writeListEnd(JsonGenerator gen, boolean more) throws IOException {
    gen.writeEndArray();
    gen.writeBooleanField("more", more);
  }

  private static void writeChangeItem(
      JsonGenerator gen,
      long serverSeq,
      long fromSeq,
      String collection,
      String docId,
      DocumentValue delta,
      Message.Origin origin)
      throws IOException {
    gen.writeStartObject();
    gen.writeNumberField("serverSeq", serverSeq);
    if (fromSeq != serverSeq) {
      gen.writeNumberField("fromSeq", fromSeq);
    }
    gen.writeStringField("collection", collection);
    gen.writeStringField("docId", docId);
    gen.writeFieldName("delta");
    delta.write(gen);
    if (origin != null) {
      gen.writeObjectFieldStart("origin");
      gen.writeStringField("replicaId", origin.replicaId());
      gen.writeNumberField("seq", origin.seq());
      gen.writeEndObject();
    }
    gen.writeEndObject();
  }

  private static void writeSnapshotDoc(
      JsonGenerator gen, String collection, String docId, DocumentValue state) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("collection", collection);
    gen.writeStringField("docId", docId);
    gen.writeFieldName("state");
    state.write(gen);
    gen.writeEndObject();
  }
}
