package dev.converge.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.crdt.SetValue;
import dev.converge.core.crdt.Versioned;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;

/**
 * The JSON wire codec of protocol version 2: protocol messages, changesets and document states.
 *
 * <p>Encoding is deterministic: maps, sets and dots are written in sorted order, so equal states
 * encode to equal bytes. Decoding treats its input as untrusted: it enforces {@link CodecLimits},
 * checks every type and range, and fails with a {@link DecodeException} naming what and where,
 * never with a half-built object. Input is strict JSON: a key given twice in one object is
 * malformed, and a string holding an unpaired UTF-16 surrogate (not valid Unicode) is invalid.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProtocolCodec {

  private final ObjectMapper mapper;
  private final CodecLimits limits;

  /**
   * The companion for stored data, created on first use (a benign race: codecs are equal by value).
   */
  private volatile ProtocolCodec storedData;

  /** A codec with {@link CodecLimits#DEFAULTS}. */
  public ProtocolCodec() {
    this(CodecLimits.DEFAULTS);
  }

  /** A codec enforcing {@code limits} on decoded input. */
  public ProtocolCodec(CodecLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    JsonFactory factory =
        JsonFactory.builder()
            // A key given twice is ambiguous (which one did the sender mean?): refuse it.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    // Register values nest inside the document's own maps, hence the margin.
                    .maxNestingDepth(2 * limits.maxDepth() + 16)
                    .maxStringLength(limits.maxStringLength())
                    .maxNameLength(limits.maxStringLength())
                    .maxNumberLength(40)
                    .build())
            .build();
    this.mapper = new ObjectMapper(factory);
    mapper.configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);
  }

  /** Returns the limits this codec enforces. */
  public CodecLimits limits() {
    return limits;
  }

  /**
   * Returns a codec that encodes exactly as this one and decodes with {@link
   * CodecLimits#storedData()}: use it for document states and deltas this system stored itself,
   * never for input received from a client.
   *
   * @return the stored-data codec (this codec if it already enforces those limits)
   */
  public ProtocolCodec forStoredData() {
    if (limits.equals(CodecLimits.storedData())) {
      return this;
    }
    ProtocolCodec stored = storedData;
    if (stored == null) {
      stored = new ProtocolCodec(CodecLimits.storedData());
      storedData = stored;
    }
    return stored;
  }

  // ---- encoding ----------------------------------------------------------------------------

  /** Encodes a protocol message as JSON text. */
  public String encode(Message message) {
    return write(gen -> MessageWriter.write(gen, message));
  }

  /**
   * Encodes a message whose parts are already encoded, splicing their text in as it is: the same
   * frame {@link #encode(Message)} writes for the equal message, without encoding anything again.
   */
  public String encode(Encoded message) {
    return write(gen -> MessageWriter.write(gen, message));
  }

  /** Encodes a document state or delta as JSON text: {@code {"s": {...}, "c": {...}}}. */
  public String encodeDocument(Document document) {
    return write(gen -> DocumentWriter.write(gen, document));
  }

  /** Encodes a changeset as JSON text. */
  public String encodeChangeset(Changeset changeset) {
    return write(gen -> MessageWriter.writeChangeset(gen, changeset));
  }

  /**
   * Encodes a changeset whose delta is already encoded, splicing {@code deltaJson} in as it is: the
   * text {@link #encodeChangeset(Changeset)} writes for the equal changeset, without encoding the
   * delta again. The delta text is trusted: pass only text this codec wrote.
   */
  public String encodeChangeset(Changeset.Header header, String deltaJson) {
    Objects.requireNonNull(header, "header");
    Payload delta = Payload.text(deltaJson);
    return write(gen -> MessageWriter.writeChangeset(gen, header, delta));
  }

  /** Returns the JSON text of a register value or other JSON tree, keys sorted. */
  public String encodeJson(JsonNode node) {
    return write(gen -> mapper.writeTree(gen, node));
  }

  interface GeneratorAction {
    void write(JsonGenerator gen) throws IOException;
  }

  private String write(GeneratorAction action) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
      gen.setCodec(mapper);
      action.write(gen);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  // ---- decoding ----------------------------------------------------------------------------

  /**
   * Decodes a protocol message.
   *
   * @throws DecodeException if the text is not a valid message of this protocol version
   */
  public Message decode(String json) {
    return new MessageReader(this, limits).message(parse(json));
  }

  /**
   * Decodes a document state or delta.
   *
   * @throws DecodeException if the text is not a valid, well-formed document encoding
   */
  public Document decodeDocument(String json) {
    return new DocumentReader(limits).document(parse(json), "$");
  }

  /**
   * Decodes a document from an already parsed tree (for example a field of a REST body).
   *
   * @param path where the tree sits in its message, for error messages
   * @throws DecodeException if the tree is not a valid document encoding
   */
  public Document decodeDocument(JsonNode tree, String path) {
    return new DocumentReader(limits).document(tree, path);
  }

  /**
   * Decodes a changeset.
   *
   * @throws DecodeException if the text is not a valid changeset
   */
  public Changeset decodeChangeset(String json) {
    return new MessageReader(this, limits).changeset(parse(json), "$");
  }

  /**
   * Decodes a changeset from an already parsed tree.
   *
   * @throws DecodeException if the tree is not a valid changeset
   */
  public Changeset decodeChangeset(JsonNode tree, String path) {
    return new MessageReader(this, limits).changeset(tree, path);
  }

  /**
   * Parses JSON text into a tree within the limits.
   *
   * @throws DecodeException if the text is not JSON, repeats a key in one object, breaks a limit,
   *     or holds a string (key or value) with an unpaired surrogate
   */
  public JsonNode parse(String json) {
    if (json == null) {
      throw new DecodeException(DecodeException.Kind.MALFORMED, "$", "input is null");
    }
    if (json.length() > limits.maxInputChars()) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT,
          "$",
          "input of "
              + json.length()
              + " characters exceeds the limit of "
              + limits.maxInputChars());
    }
    try {
      JsonNode tree = mapper.readTree(json);
      if (tree == null || tree.isMissingNode()) {
        throw new DecodeException(DecodeException.Kind.MALFORMED, "$", "input is empty");
      }
      String badString =
          UnpairedSurrogates.mayHide(json) ? UnpairedSurrogates.find(tree, "$") : null;
      if (badString != null) {
        throw new DecodeException(
            badString, "string holds an unpaired UTF-16 surrogate, which is not valid Unicode");
      }
      return tree;
    } catch (StreamConstraintsException e) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT,
          "$",
          "input breaks a limit: " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new DecodeException(
          DecodeException.Kind.MALFORMED,
          "$",
          "malformed JSON: "
              + firstLine(e.getOriginalMessage())
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"));
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown error";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** Writes documents in the wire form. */
  static final class DocumentWriter {
    private DocumentWriter() {}

    static void write(JsonGenerator gen, Document document) throws IOException {
      gen.writeStartObject();
      gen.writeFieldName("s");
      writeEntries(gen, document.root());
      gen.writeFieldName("c");
      writeContext(gen, document.context());
      gen.writeEndObject();
    }

    /**
     * Writes a map's entries: a name holding one type as that typed value (the protocol-1 form), a
     * name holding several types as an array of typed values in type order.
     */
    private static void writeEntries(JsonGenerator gen, MapValue map) throws IOException {
      gen.writeStartObject();
      String name = null;
      for (var entry : map.typedEntries().entrySet()) {
        if (entry.getKey().name().equals(name)) {
          continue;
        }
        name = entry.getKey().name();
        gen.writeFieldName(name);
        var types = map.typesOf(name).values();
        if (types.size() == 1) {
          writeValue(gen, entry.getValue());
        } else {
          gen.writeStartArray();
          for (CrdtValue value : types) {
            writeValue(gen, value);
          }
          gen.writeEndArray();
        }
      }
      gen.writeEndObject();
    }

    private static void writeValue(JsonGenerator gen, CrdtValue value) throws IOException {
      gen.writeStartObject();
      gen.writeStringField("t", value.type().tag());
      gen.writeFieldName("e");
      if (value instanceof RegisterValue register) {
        gen.writeStartArray();
        for (Versioned v : register.entries().values()) {
          gen.writeStartArray();
          gen.writeString(v.dot().replica());
          gen.writeNumber(v.dot().counter());
          gen.writeString(v.hlc().toString());
          gen.writeTree(v.value());
          gen.writeEndArray();
        }
        gen.writeEndArray();
      } else if (value instanceof CounterValue counter) {
        CounterEncoding.write(gen, counter);
      } else if (value instanceof SetValue set) {
        gen.writeStartObject();
        for (var entry : set.entries().entrySet()) {
          gen.writeFieldName(entry.getKey());
          gen.writeStartArray();
          for (var dot : entry.getValue()) {
            gen.writeStartArray();
            gen.writeString(dot.replica());
            gen.writeNumber(dot.counter());
            gen.writeEndArray();
          }
          gen.writeEndArray();
        }
        gen.writeEndObject();
      } else {
        writeEntries(gen, (MapValue) value);
      }
      gen.writeEndObject();
    }

    private static void writeContext(JsonGenerator gen, CausalContext context) throws IOException {
      Map<String, Long> prefixes = context.versionVector();
      Map<String, NavigableSet<Long>> cloud = context.cloud();
      gen.writeStartObject();
      for (String replica : context.replicas()) {
        gen.writeFieldName(replica);
        gen.writeStartArray();
        gen.writeNumber(prefixes.getOrDefault(replica, 0L));
        NavigableSet<Long> extra = cloud.get(replica);
        if (extra != null) {
          for (long counter : extra) {
            gen.writeNumber(counter);
          }
        }
        gen.writeEndArray();
      }
      gen.writeEndObject();
    }
  }
}
