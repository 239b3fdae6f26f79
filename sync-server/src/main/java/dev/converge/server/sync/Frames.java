package dev.converge.server.sync;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.document.DocState;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Builds the server's {@code changes} and {@code snapshot} frames from stored rows, splicing the
 * stored deltas and states in as they are: they were written by the same codec, so re-encoding
 * would only cost time.
 */
final class Frames {
  private Frames() {}

  static String changes(
      ProtocolCodec codec,
      String space,
      long from,
      long to,
      List<DeltaGroups.Item> items,
      boolean more) {
    return write(
        codec,
        gen -> {
          gen.writeStartObject();
          gen.writeStringField("type", "changes");
          gen.writeStringField("space", space);
          gen.writeNumberField("from", from);
          gen.writeNumberField("to", to);
          gen.writeArrayFieldStart("items");
          for (DeltaGroups.Item item : items) {
            gen.writeStartObject();
            gen.writeNumberField("serverSeq", item.serverSeq());
            if (item.grouped()) {
              gen.writeNumberField("fromSeq", item.fromSeq());
            }
            gen.writeStringField("collection", item.collection());
            gen.writeStringField("docId", item.docId());
            gen.writeFieldName("delta");
            gen.writeRawValue(item.deltaJson());
            if (item.originReplica() != null) {
              gen.writeObjectFieldStart("origin");
              gen.writeStringField("replicaId", item.originReplica());
              gen.writeNumberField("seq", item.originSeq());
              gen.writeEndObject();
            }
            gen.writeEndObject();
          }
          gen.writeEndArray();
          gen.writeBooleanField("more", more);
          gen.writeEndObject();
        });
  }

  static String snapshot(
      ProtocolCodec codec, String space, long head, List<DocState> docs, boolean more) {
    return write(
        codec,
        gen -> {
          gen.writeStartObject();
          gen.writeStringField("type", "snapshot");
          gen.writeStringField("space", space);
          gen.writeNumberField("head", head);
          gen.writeArrayFieldStart("docs");
          for (DocState doc : docs) {
            gen.writeStartObject();
            gen.writeStringField("collection", doc.key.collection);
            gen.writeStringField("docId", doc.key.docId);
            gen.writeFieldName("state");
            gen.writeRawValue(doc.state);
            gen.writeEndObject();
          }
          gen.writeEndArray();
          gen.writeBooleanField("more", more);
          gen.writeEndObject();
        });
  }

  interface Body {
    void write(JsonGenerator gen) throws IOException;
  }

  private static String write(ProtocolCodec codec, Body body) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator gen = codec.mapper().getFactory().createGenerator(out)) {
      body.write(gen);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
