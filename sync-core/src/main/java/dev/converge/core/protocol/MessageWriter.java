package dev.converge.core.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/**
 * Writes protocol messages in their wire form: one layout per message type, whichever form its
 * documents are in ({@link Payload}: encoded from a value, or spliced in as already encoded text),
 * and whichever form a push's changesets are in ({@link Message.Push} or {@link Encoded.Push}).
 */
final class MessageWriter {
  private MessageWriter() {}

  static void write(JsonGenerator gen, Message message) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("type", message.type());
    if (message instanceof Message.Hello m) {
      gen.writeNumberField("protocol", m.protocol());
      gen.writeStringField("replicaId", m.replicaId());
      writeList(gen, "subscriptions", m.subscriptions(), MessageWriter::writeSubscription);
      if (m.predecessor() != null) {
        gen.writeStringField("predecessor", m.predecessor());
      }
      if (!m.lineage().isEmpty()) {
        gen.writeArrayFieldStart("lineage");
        for (String id : m.lineage()) {
          gen.writeString(id);
        }
        gen.writeEndArray();
      }
    } else if (message instanceof Message.Welcome m) {
      gen.writeStringField("serverId", m.serverId());
      gen.writeNumberField("protocol", m.protocol());
      gen.writeNumberField("tokenExpiresAt", m.tokenExpiresAt());
      writeSpaceHeads(gen, m.spaces());
    } else if (message instanceof Message.Push m) {
      writeList(gen, "changesets", m.changesets(), MessageWriter::writeChangeset);
      writeStablePoints(gen, m.stable());
    } else if (message instanceof Message.Ack m) {
      gen.writeStringField("replicaId", m.replicaId());
      gen.writeNumberField("upToSeq", m.upToSeq());
      writeList(gen, "results", m.results(), MessageWriter::writeAckResult);
    } else if (message instanceof Message.Changes m) {
      gen.writeStringField("space", m.space());
      gen.writeNumberField("from", m.from());
      gen.writeNumberField("to", m.to());
      writeList(gen, "items", m.items(), MessageWriter::writeChangeItem);
      gen.writeBooleanField("more", m.more());
      writeEpoch(gen, m.epoch());
    } else if (message instanceof Message.Snapshot m) {
      gen.writeStringField("space", m.space());
      gen.writeNumberField("head", m.head());
      writeList(gen, "docs", m.docs(), MessageWriter::writeSnapshotDoc);
      gen.writeBooleanField("more", m.more());
      writeEpoch(gen, m.epoch());
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
      writeList(gen, "docs", m.docs(), MessageWriter::writeDocName);
    } else if (message instanceof Message.Docs m) {
      gen.writeNumberField("ref", m.ref());
      gen.writeStringField("space", m.space());
      gen.writeNumberField("head", m.head());
      writeList(gen, "docs", m.docs(), MessageWriter::writeSnapshotDoc);
    } else if (message instanceof Message.Subscribe m) {
      writeList(gen, "subscriptions", m.subscriptions(), MessageWriter::writeSubscription);
    } else if (message instanceof Message.Subscribed m) {
      writeSpaceHeads(gen, m.spaces());
    } else if (message instanceof Message.Unsubscribe m) {
      writeList(gen, "spaces", m.spaces(), JsonGenerator::writeString);
    } else if (message instanceof Message.Unsubscribed m) {
      writeList(gen, "spaces", m.spaces(), JsonGenerator::writeString);
    } else if (message instanceof Message.Digest m) {
      gen.writeNumberField("ref", m.ref());
      gen.writeStringField("space", m.space());
      gen.writeStringField("path", m.path());
      writeList(gen, "hashes", m.hashes(), JsonGenerator::writeString);
      writeList(gen, "docs", m.docs(), MessageWriter::writeDigestDoc);
    } else if (message instanceof Message.Digests m) {
      gen.writeNumberField("ref", m.ref());
      gen.writeStringField("space", m.space());
      gen.writeStringField("path", m.path());
      writeList(gen, "hashes", m.hashes(), JsonGenerator::writeString);
      writeList(gen, "docs", m.docs(), MessageWriter::writeDigestDoc);
      gen.writeBooleanField("more", m.more());
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

  private static void writeSubscription(JsonGenerator gen, MessageParts.Subscription s)
      throws IOException {
    gen.writeStartObject();
    gen.writeStringField("space", s.space());
    gen.writeNumberField("since", s.since());
    if (s.stable() != null) {
      gen.writeNumberField("stable", s.stable());
    }
    writeEpoch(gen, s.epoch());
    gen.writeEndObject();
  }

  private static void writeEpoch(JsonGenerator gen, String epoch) throws IOException {
    if (epoch != null) {
      gen.writeStringField("epoch", epoch);
    }
  }

  private static void writeAckResult(JsonGenerator gen, MessageParts.AckResult r)
      throws IOException {
    gen.writeStartObject();
    gen.writeNumberField("seq", r.seq());
    gen.writeNumberField("serverSeq", r.serverSeq());
    gen.writeEndObject();
  }

  private static void writeSpaceHeads(JsonGenerator gen, List<MessageParts.SpaceHead> heads)
      throws IOException {
    writeList(
        gen,
        "spaces",
        heads,
        (g, h) -> {
          g.writeStartObject();
          g.writeStringField("space", h.space());
          g.writeNumberField("head", h.head());
          writeEpoch(g, h.epoch());
          if (h.restored()) {
            g.writeBooleanField("restored", true);
          }
          g.writeEndObject();
        });
  }

  /** Writes {@code stable: [{space, stable}]}, or nothing when there is none. */
  private static void writeStablePoints(JsonGenerator gen, List<MessageParts.SpaceStable> points)
      throws IOException {
    if (!points.isEmpty()) {
      writeList(gen, "stable", points, (g, p) -> writeOfSpace(g, p.space(), "stable", p.stable()));
    }
  }

  /** Writes {@code {space, name: value}}: a space's head or a replica's stable point in it. */
  private static void writeOfSpace(JsonGenerator gen, String space, String name, long value)
      throws IOException {
    gen.writeStartObject();
    gen.writeStringField("space", space);
    gen.writeNumberField(name, value);
    gen.writeEndObject();
  }

  /**
   * Writes a push whose changesets are already encoded: the layout of the equal {@link Message}.
   */
  static void write(JsonGenerator gen, Encoded message) throws IOException {
    Encoded.Push push = (Encoded.Push) message; // the one permitted form
    gen.writeStartObject();
    gen.writeStringField("type", push.type());
    writeList(gen, "changesets", push.changesets(), JsonGenerator::writeRawValue);
    writeStablePoints(gen, push.stable());
    gen.writeEndObject();
  }

  /** Writes one item of a list. */
  private interface ItemWriter<T> {
    void write(JsonGenerator gen, T item) throws IOException;
  }

  /** Writes {@code field: [...]}, each item by {@code item}. */
  private static <T> void writeList(
      JsonGenerator gen, String field, List<T> items, ItemWriter<? super T> item)
      throws IOException {
    gen.writeArrayFieldStart(field);
    for (T each : items) {
      item.write(gen, each);
    }
    gen.writeEndArray();
  }

  /** Writes which document it is and its state or delta, {@code field}. */
  private static void writeDocument(
      JsonGenerator gen, String collection, String docId, String field, Payload payload)
      throws IOException {
    gen.writeStringField("collection", collection);
    gen.writeStringField("docId", docId);
    gen.writeFieldName(field);
    writePayload(gen, payload);
  }

  /** Writes a document: encoded from its value, or spliced in from its encoded text. */
  private static void writePayload(JsonGenerator gen, Payload payload) throws IOException {
    if (payload instanceof Payload.Text text) {
      gen.writeRawValue(text.json());
    } else {
      ProtocolCodec.DocumentWriter.write(gen, payload.document());
    }
  }

  static void writeChangeset(JsonGenerator gen, Changeset c) throws IOException {
    writeChangeset(gen, c.header(), Payload.of(c.delta()));
  }

  /** Writes a changeset: the one layout, whichever form its delta is in. */
  static void writeChangeset(JsonGenerator gen, Changeset.Header header, Payload delta)
      throws IOException {
    gen.writeStartObject();
    gen.writeStringField("replicaId", header.replicaId());
    gen.writeNumberField("seq", header.seq());
    if (header.toSeq() != header.seq()) {
      // Only for a range: a changeset of one seq keeps the bytes it always had.
      gen.writeNumberField("toSeq", header.toSeq());
    }
    if (header.resend()) {
      // Before "space", like toSeq: the device reads its range back from the header's start.
      gen.writeBooleanField("resend", true);
    }
    gen.writeStringField("space", header.space());
    gen.writeStringField("collection", header.collection());
    gen.writeStringField("docId", header.docId());
    gen.writeStringField("hlc", header.hlc().toString());
    gen.writeFieldName("delta");
    writePayload(gen, delta);
    gen.writeEndObject();
  }

  private static void writeChangeItem(JsonGenerator gen, MessageParts.ChangeItem item)
      throws IOException {
    gen.writeStartObject();
    gen.writeNumberField("serverSeq", item.serverSeq());
    if (item.fromSeq() != item.serverSeq()) {
      gen.writeNumberField("fromSeq", item.fromSeq());
    }
    writeDocument(gen, item.collection(), item.docId(), "delta", item.delta());
    MessageParts.Origin origin = item.origin();
    if (origin != null) {
      gen.writeObjectFieldStart("origin");
      gen.writeStringField("replicaId", origin.replicaId());
      gen.writeNumberField("seq", origin.seq());
      gen.writeEndObject();
    }
    gen.writeEndObject();
  }

  private static void writeDigestDoc(JsonGenerator gen, MessageParts.DigestDoc doc)
      throws IOException {
    gen.writeStartObject();
    gen.writeStringField("collection", doc.collection());
    gen.writeStringField("docId", doc.docId());
    if (doc.hash() != null) {
      gen.writeStringField("hash", doc.hash());
    }
    gen.writeEndObject();
  }

  private static void writeDocName(JsonGenerator gen, MessageParts.DocName doc) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("collection", doc.collection());
    gen.writeStringField("docId", doc.docId());
    gen.writeEndObject();
  }

  private static void writeSnapshotDoc(JsonGenerator gen, MessageParts.SnapshotDoc doc)
      throws IOException {
    gen.writeStartObject();
    writeDocument(gen, doc.collection(), doc.docId(), "state", doc.state());
    gen.writeEndObject();
  }
}
