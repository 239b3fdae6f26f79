package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed and hostile input: each is rejected with a typed error naming what and where. */
class HostileInputTest {

  private static final CodecLimits SMALL = new CodecLimits(4, 50, 100, 10_000);
  private final ProtocolCodec codec = new ProtocolCodec(SMALL);

  private static final String R = "phone";

  static String doc(String store, String context) {
    return "{\"s\":" + store + ",\"c\":" + context + "}";
  }

  static String push(String delta) {
    return "{\"type\":\"push\",\"changesets\":[{\"replicaId\":\"phone\",\"seq\":1,\"space\":\"user:a\","
        + "\"collection\":\"carts\",\"docId\":\"main\",\"hlc\":\"1:0\",\"delta\":"
        + delta
        + "}]}";
  }

  static String nested(int depth) {
    String value = "{\"t\":\"ctr\",\"e\":[[\"phone\",1,1]]}";
    for (int i = 0; i < depth; i++) {
      value = "{\"t\":\"map\",\"e\":{\"k\":" + value + "}}";
    }
    return doc("{\"f\":" + value + "}", "{\"phone\":[1]}");
  }

  static Stream<Arguments> malformedDocuments() {
    return Stream.of(
        Arguments.of("not JSON", "{\"s\":", "$", "malformed JSON"),
        Arguments.of("empty input", "", "$", "input is empty"),
        Arguments.of("array instead of document", "[]", "$", "expected an object, got an array"),
        Arguments.of("missing store", "{\"c\":{}}", "$.s", "required field is missing"),
        Arguments.of("missing context", "{\"s\":{}}", "$.c", "required field is missing"),
        Arguments.of(
            "store is a string", doc("\"x\"", "{}"), "$.s", "expected an object, got a string"),
        Arguments.of(
            "unknown type tag",
            doc("{\"f\":{\"t\":\"lww\",\"e\":[]}}", "{}"),
            "$.s.f.t",
            "unknown type tag 'lww' (expected reg, ctr, set or map)"),
        Arguments.of(
            "type tag is a number",
            doc("{\"f\":{\"t\":3,\"e\":[]}}", "{}"),
            "$.s.f.t",
            "expected a string, got an integer"),
        Arguments.of(
            "missing entries",
            doc("{\"f\":{\"t\":\"ctr\"}}", "{}"),
            "$.s.f.e",
            "required field is missing"),
        Arguments.of(
            "counter entries not an array",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":{}}}", "{}"),
            "$.s.f.e",
            "expected an array, got an object"),
        Arguments.of(
            "counter entry too short",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0]",
            "expected [replica, counter, value], got 2 elements"),
        Arguments.of(
            "negative dot counter",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",-1,5]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0][1]",
            "must be >= 1, got -1"),
        Arguments.of(
            "zero dot counter",
            doc("{\"f\":{\"t\":\"set\",\"e\":{\"x\":[[\"phone\",0]]}}}", "{\"phone\":[1]}"),
            "$.s.f.e.x[0][1]",
            "must be >= 1, got 0"),
        Arguments.of(
            "huge counter value",
            doc(
                "{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,99999999999999999999]]}}",
                "{\"phone\":[1]}"),
            "$.s.f.e[0][2]",
            "integer out of range: beyond ±(2^53-1)"),
        Arguments.of(
            "counter value beyond 2^53",
            doc(
                "{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,9007199254740993]]}}",
                "{\"phone\":[1]}"),
            "$.s.f.e[0][2]",
            "integer out of range: beyond ±(2^53-1)"),
        Arguments.of(
            "decimal counter value",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,1.5]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0][2]",
            "expected an integer, got a decimal number"),
        Arguments.of(
            "dot counter as string",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",\"1\",1]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0][1]",
            "expected an integer, got a string"),
        Arguments.of(
            "malformed replica id",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"a b\",1,1]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0][0]",
            "replica id must be 1-64 characters of [A-Za-z0-9._:-]"),
        Arguments.of(
            "dot not covered by context",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",2,1]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0]",
            "dot phone:2 is not covered by the causal context"),
        Arguments.of(
            "same dot twice",
            doc(
                "{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,1]]},\"g\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,2]]}}",
                "{\"phone\":[1]}"),
            "$.s.g.e[0]",
            "dot phone:1 appears twice (also at $.s.f.e[0])"),
        Arguments.of(
            "counter entry too long",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,2,3,4]]}}", "{\"phone\":[2]}"),
            "$.s.f.e[0]",
            "expected [replica, counter, value], got 5 elements (a run is [replica, first, last, sum])"),
        Arguments.of(
            "run of one dot",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",2,2,1]]}}", "{\"phone\":[2]}"),
            "$.s.f.e[0]",
            "a run spans at least two dots (first < last), got first 2 and last 2"),
        Arguments.of(
            "run ending before it starts",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",3,2,1]]}}", "{\"phone\":[3]}"),
            "$.s.f.e[0]",
            "a run spans at least two dots (first < last), got first 3 and last 2"),
        Arguments.of(
            "run starting at dot zero",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",0,2,1]]}}", "{\"phone\":[2]}"),
            "$.s.f.e[0][1]",
            "must be >= 1, got 0"),
        Arguments.of(
            "run sum beyond its span times the increment bound",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,2,-4294967297]]}}", "{\"phone\":[2]}"),
            "$.s.f.e[0]",
            "run sum -4294967297 is beyond its bound of 2 dots × 2^31"),
        Arguments.of(
            "run sum beyond 2^53",
            doc(
                "{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,9,9007199254740992]]}}",
                "{\"phone\":[9]}"),
            "$.s.f.e[0][3]",
            "integer out of range: beyond ±(2^53-1)"),
        Arguments.of(
            "run whose last dot the context does not cover",
            doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,5,2]]}}", "{\"phone\":[4]}"),
            "$.s.f.e[0]",
            "dot phone:5 is not covered by the causal context"),
        Arguments.of(
            "run sharing its last dot with another entry",
            doc(
                "{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",1,3,2]]},\"g\":{\"t\":\"ctr\",\"e\":[[\"phone\",3,1]]}}",
                "{\"phone\":[3]}"),
            "$.s.g.e[0]",
            "dot phone:3 appears twice (also at $.s.f.e[0])"),
        Arguments.of(
            "malformed hlc",
            doc("{\"f\":{\"t\":\"reg\",\"e\":[[\"phone\",1,\"yesterday\",1]]}}", "{\"phone\":[1]}"),
            "$.s.f.e[0][2]",
            "hlc must look like '<millis>:<logical>', got 'yesterday'"),
        Arguments.of(
            "negative context prefix",
            doc("{}", "{\"phone\":[-3]}"),
            "$.c.phone[0]",
            "must be >= 0, got -3"),
        Arguments.of(
            "empty context entry",
            doc("{}", "{\"phone\":[]}"),
            "$.c.phone",
            "expected [prefix, extra dots...], got an empty array"),
        Arguments.of(
            "nesting deeper than the limit",
            nested(6),
            "$.s.f.e.k.e.k.e.k.e",
            "nesting deeper than the limit of 4"),
        Arguments.of(
            "string longer than the limit",
            doc(
                "{\"f\":{\"t\":\"reg\",\"e\":[[\"phone\",1,\"1:0\",\"" + "x".repeat(200) + "\"]]}}",
                "{\"phone\":[1]}"),
            "$",
            "input breaks a limit: String value length (200) exceeds the maximum allowed (100, from `StreamReadConstraints.getMaxStringLength()`)"),
        Arguments.of(
            "too many entries",
            doc(
                "{\"f\":{\"t\":\"set\",\"e\":{\"x\":["
                    + "[\"phone\",1],".repeat(60)
                    + "[\"phone\",1]]}}}",
                "{\"phone\":[1]}"),
            "$.s.f.e.x",
            "61 entries exceed the limit of 50"),
        Arguments.of(
            "input larger than the limit",
            doc("{}", "{}") + " ".repeat(10_001),
            "$",
            "input of 10016 characters exceeds the limit of 10000"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedDocuments")
  void malformedDocument_isRejectedWithPathAndReason(
      String name, String json, String path, String reason) {
    DecodeException e =
        catchThrowableOfType(DecodeException.class, () -> codec.decodeDocument(json));
    assertThat(e).as(name).isNotNull();
    assertThat(e.path()).as(name).isEqualTo(path);
    assertThat(e.reason()).as(name).startsWith(reason);
  }

  static Stream<Arguments> malformedMessages() {
    return Stream.of(
        Arguments.of("no type", "{}", "$.type", "required field is missing"),
        Arguments.of(
            "unknown type", "{\"type\":\"gossip\"}", "$.type", "unknown message type 'gossip'"),
        Arguments.of(
            "type is an object", "{\"type\":{}}", "$.type", "expected a string, got an object"),
        Arguments.of(
            "push without changesets",
            "{\"type\":\"push\"}",
            "$.changesets",
            "required field is missing"),
        Arguments.of(
            "changesets not an array",
            "{\"type\":\"push\",\"changesets\":{}}",
            "$.changesets",
            "expected an array, got an object"),
        Arguments.of(
            "seq as string",
            push("{\"s\":{},\"c\":{}}").replace("\"seq\":1", "\"seq\":\"1\""),
            "$.changesets[0].seq",
            "expected an integer, got a string"),
        Arguments.of(
            "seq zero",
            push("{\"s\":{},\"c\":{}}").replace("\"seq\":1", "\"seq\":0"),
            "$.changesets[0].seq",
            "must be >= 1, got 0"),
        Arguments.of(
            "blank space",
            push("{\"s\":{},\"c\":{}}").replace("user:a", " "),
            "$.changesets[0].space",
            "must not be blank"),
        Arguments.of(
            "missing docId",
            push("{\"s\":{},\"c\":{}}").replace("\"docId\":\"main\",", ""),
            "$.changesets[0].docId",
            "required field is missing"),
        Arguments.of(
            "bad delta inside push",
            push(doc("{\"f\":{\"t\":\"ctr\",\"e\":[[\"phone\",-4,1]]}}", "{}")),
            "$.changesets[0].delta.s.f.e[0][1]",
            "must be >= 1, got -4"),
        Arguments.of(
            "hello with protocol 0",
            "{\"type\":\"hello\",\"protocol\":0,\"replicaId\":\"phone\",\"subscriptions\":[]}",
            "$.protocol",
            "must be >= 1, got 0"),
        Arguments.of(
            "hello with bad replica",
            "{\"type\":\"hello\",\"protocol\":1,\"replicaId\":\"\",\"subscriptions\":[]}",
            "$.replicaId",
            "replica id must be"),
        Arguments.of(
            "subscription since negative",
            "{\"type\":\"hello\",\"protocol\":1,\"replicaId\":\"phone\",\"subscriptions\":[{\"space\":\"user:a\",\"since\":-1}]}",
            "$.subscriptions[0].since",
            "must be >= 0, got -1"),
        Arguments.of(
            "auth without token", "{\"type\":\"auth\"}", "$.token", "required field is missing"),
        Arguments.of(
            "duplicate key, last one would win",
            push("{\"s\":{},\"c\":{}}").replace("\"seq\":1", "\"seq\":1,\"seq\":2"),
            "$",
            "malformed JSON: Duplicate field 'seq'"),
        Arguments.of(
            "duplicate key deep inside a delta",
            push(doc("{\"f\":{\"t\":\"ctr\",\"t\":\"reg\",\"e\":[]}}", "{}")),
            "$",
            "malformed JSON: Duplicate field 't'"),
        Arguments.of(
            "lone high surrogate in docId",
            push("{\"s\":{},\"c\":{}}").replace("\"main\"", "\"a\\ud800\""),
            "$.changesets[0].docId",
            LONE),
        Arguments.of(
            "lone low surrogate in space",
            push("{\"s\":{},\"c\":{}}").replace("user:a", "user:\\udc00"),
            "$.changesets[0].space",
            LONE),
        Arguments.of(
            "reversed pair in collection",
            push("{\"s\":{},\"c\":{}}").replace("carts", "\\udc00\\ud800"),
            "$.changesets[0].collection",
            LONE),
        Arguments.of(
            "lone surrogate in a map key",
            push(doc("{\"k\\ud83d\":{\"t\":\"ctr\",\"e\":[]}}", "{}")),
            "$.changesets[0].delta.s.k\\uD83D",
            LONE),
        Arguments.of(
            "lone surrogate in a register value",
            push(
                doc(
                    "{\"f\":{\"t\":\"reg\",\"e\":[[\"phone\",1,\"1:0\",{\"v\":[\"x\\ud800\"]}]]}}",
                    "{\"phone\":[1]}")),
            "$.changesets[0].delta.s.f.e[0][3].v[0]",
            LONE));
  }

  private static final String LONE = "string holds an unpaired UTF-16 surrogate";

  @org.junit.jupiter.api.Test
  void validSurrogatePair_isAccepted_andKeepsItsIdDistinct() {
    Message a = codec.decode(push("{\"s\":{},\"c\":{}}").replace("\"main\"", "\"\\ud83d\\ude00\""));
    Message b = codec.decode(push("{\"s\":{},\"c\":{}}").replace("\"main\"", "\"\\ud83d\\ude01\""));
    assertThat(((Message.Push) a).changesets().get(0).docId()).isEqualTo("\ud83d\ude00");
    assertThat(((Message.Push) a).changesets().get(0).docId())
        .isNotEqualTo(((Message.Push) b).changesets().get(0).docId());
  }

  @org.junit.jupiter.api.Test
  void duplicateKey_isMalformed_andLoneSurrogate_isInvalid() {
    String duplicate = push("{\"s\":{},\"c\":{}}").replace("\"seq\":1", "\"seq\":1,\"seq\":2");
    assertThat(catchThrowableOfType(DecodeException.class, () -> codec.decode(duplicate)).kind())
        .isEqualTo(DecodeException.Kind.MALFORMED);
    String lone = push("{\"s\":{},\"c\":{}}").replace("\"main\"", "\"\\ud800\"");
    assertThat(catchThrowableOfType(DecodeException.class, () -> codec.decode(lone)).kind())
        .isEqualTo(DecodeException.Kind.INVALID);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedMessages")
  void malformedMessage_isRejectedWithPathAndReason(
      String name, String json, String path, String reason) {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> codec.decode(json));
    assertThat(e).as(name).isNotNull();
    assertThat(e.path()).as(name).isEqualTo(path);
    assertThat(e.reason()).as(name).startsWith(reason);
    assertThat(e.getMessage()).isEqualTo(path + ": " + e.reason());
  }
}
