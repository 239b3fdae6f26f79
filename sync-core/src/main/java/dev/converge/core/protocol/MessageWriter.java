package dev.converge.core.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/** Writes protocol messages in their wire form. */
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
      gen.writeStringField("space", m.space());
      gen.writeNumberField("from", m.from());
      gen.writeNumberField("to", m.to());
      gen.writeArrayFieldStart("items");
      for (Message.ChangeItem item : m.items()) {
        writeChangeItem(gen, item);
      }
      gen.writeEndArray();
      gen.writeBooleanField("more", m.more());
    } else if (message instanceof Message.Snapshot m) {
      gen.writeStringField("space", m.space());
      gen.writeNumberField("head", m.head());
      gen.writeArrayFieldStart("docs");
      for (Message.SnapshotDoc doc : m.docs()) {
        gen.writeStartObject();
        gen.writeStringField("collection", doc.collection());
        gen.writeStringField("docId", doc.docId());
        gen.writeFieldName("state");
        ProtocolCodec.DocumentWriter.write(gen, doc.state());
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeBooleanField("more", m.more());
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

  static void writeChangeset(JsonGenerator gen, Changeset changeset) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("replicaId", changeset.replicaId());
    gen.writeNumberField("seq", changeset.seq());
    gen.writeStringField("space", changeset.space());
    gen.writeStringField("collection", changeset.collection());
    gen.writeStringField("docId", changeset.docId());
    gen.writeStringField("hlc", changeset.hlc().toString());
    gen.writeFieldName("delta");
    ProtocolCodec.DocumentWriter.write(gen, changeset.delta());
    gen.writeEndObject();
  }

  static void writeChangeItem(JsonGenerator gen, Message.ChangeItem item) throws IOException {
    gen.writeStartObject();
    gen.writeNumberField("serverSeq", item.serverSeq());
    if (item.fromSeq() != item.serverSeq()) {
      gen.writeNumberField("fromSeq", item.fromSeq());
    }
    gen.writeStringField("collection", item.collection());
    gen.writeStringField("docId", item.docId());
    gen.writeFieldName("delta");
    ProtocolCodec.DocumentWriter.write(gen, item.delta());
    if (item.origin() != null) {
      gen.writeObjectFieldStart("origin");
      gen.writeStringField("replicaId", item.origin().replicaId());
      gen.writeNumberField("seq", item.origin().seq());
      gen.writeEndObject();
    }
    gen.writeEndObject();
  }
}
