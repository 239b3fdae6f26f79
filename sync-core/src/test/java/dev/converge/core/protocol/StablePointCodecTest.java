package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stable-point reports of protocol 2: {@code hello.subscriptions[].stable}, {@code push.stable}
 * and {@code sync.stable}. Optional (a message without them decodes as before), strictly checked
 * when present, each refusal naming its JSON path.
 */
class StablePointCodecTest {

  private final ProtocolCodec codec = new ProtocolCodec();

  private static final String CHANGESET =
      "{\"replicaId\":\"phone\",\"seq\":1,\"space\":\"user:a\",\"collection\":\"carts\","
          + "\"docId\":\"main\",\"hlc\":\"1:0\",\"delta\":{\"s\":{},\"c\":{}}}";

  static String hello(String subscription) {
    return "{\"type\":\"hello\",\"protocol\":2,\"replicaId\":\"phone\",\"subscriptions\":["
        + subscription
        + "]}";
  }

  static String push(String stable) {
    return "{\"type\":\"push\",\"changesets\":[" + CHANGESET + "],\"stable\":" + stable + "}";
  }

  static String sync(String stable) {
    return "{\"type\":\"sync\",\"ref\":1,\"stable\":" + stable + "}";
  }

  @Test
  void messagesWithoutStablePoints_decodeAsBefore() {
    Message.Hello hello = (Message.Hello) codec.decode(hello("{\"space\":\"user:a\",\"since\":3}"));
    assertThat(hello.subscriptions()).containsExactly(new MessageParts.Subscription("user:a", 3));
    assertThat(hello.subscriptions().get(0).stable()).isNull();
    Message.Push push =
        (Message.Push) codec.decode("{\"type\":\"push\",\"changesets\":[" + CHANGESET + "]}");
    assertThat(push.stable()).isEmpty();
    assertThat(((Message.Sync) codec.decode("{\"type\":\"sync\",\"ref\":1}")).stable()).isEmpty();
    // null is absent, as for every optional field
    assertThat(((Message.Push) codec.decode(push("null"))).stable()).isEmpty();
    assertThat(((Message.Sync) codec.decode(sync("null"))).stable()).isEmpty();
    assertThat(
            ((Message.Hello)
                    codec.decode(hello("{\"space\":\"user:a\",\"since\":3,\"stable\":null}")))
                .subscriptions()
                .get(0)
                .stable())
        .isNull();
  }

  @Test
  void withoutStablePoints_nothingIsWritten() {
    assertThat(codec.encode(new Message.Sync(1))).isEqualTo("{\"type\":\"sync\",\"ref\":1}");
    assertThat(codec.encode(new Message.Push(List.of(), List.of())))
        .isEqualTo("{\"type\":\"push\",\"changesets\":[]}");
    assertThat(
            codec.encode(
                new Message.Hello(2, "phone", List.of(new MessageParts.Subscription("user:a", 3)))))
        .doesNotContain("stable");
  }

  @Test
  void stablePoints_roundTrip_atTheBoundsOfTheRange() {
    long max = (1L << 53) - 1;
    List<Message> messages =
        List.of(
            new Message.Hello(
                2,
                "phone",
                List.of(
                    new MessageParts.Subscription("user:a", max, max),
                    new MessageParts.Subscription("team:1", 5, 0L))),
            new Message.Push(
                List.of(codec.decodeChangeset(CHANGESET)),
                List.of(
                    new MessageParts.SpaceStable("user:a", 0),
                    new MessageParts.SpaceStable("b", max))),
            new Message.Sync(9, List.of(new MessageParts.SpaceStable("user:a", 12))));
    for (Message message : messages) {
      assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    }
  }

  @Test
  void anEmptyArray_isNoReport() {
    assertThat(((Message.Push) codec.decode(push("[]"))).stable()).isEmpty();
    assertThat(((Message.Sync) codec.decode(sync("[]"))).stable()).isEmpty();
  }

  static Stream<Arguments> invalid() {
    String point = "{\"space\":\"user:a\",\"stable\":%s}";
    return Stream.of(
        Arguments.of(
            "subscription stable negative",
            hello("{\"space\":\"user:a\",\"since\":3,\"stable\":-1}"),
            "$.subscriptions[0].stable",
            "must be >= 0, got -1"),
        Arguments.of(
            "subscription stable beyond 2^53-1",
            hello("{\"space\":\"user:a\",\"since\":3,\"stable\":9007199254740992}"),
            "$.subscriptions[0].stable",
            "integer out of range"),
        Arguments.of(
            "subscription stable a string",
            hello("{\"space\":\"user:a\",\"since\":3,\"stable\":\"2\"}"),
            "$.subscriptions[0].stable",
            "expected an integer, got a string"),
        Arguments.of(
            "subscription stable a decimal",
            hello("{\"space\":\"user:a\",\"since\":3,\"stable\":2.5}"),
            "$.subscriptions[0].stable",
            "expected an integer, got a decimal number"),
        Arguments.of(
            "subscription stable above its cursor",
            hello("{\"space\":\"user:a\",\"since\":3,\"stable\":4}"),
            "$.subscriptions[0].stable",
            "must be <= since 3, got 4"),
        Arguments.of(
            "subscription stable without a cursor",
            hello("{\"space\":\"user:a\",\"stable\":1}"),
            "$.subscriptions[0].stable",
            "must be <= since 0, got 1"),
        Arguments.of(
            "push stable an object",
            push("{\"user:a\":3}"),
            "$.stable",
            "expected an array, got an object"),
        Arguments.of(
            "push stable entry a number", push("[3]"), "$.stable[0]", "expected an object"),
        Arguments.of(
            "push stable entry without space",
            push("[{\"stable\":3}]"),
            "$.stable[0].space",
            "required field is missing"),
        Arguments.of(
            "push stable entry without stable",
            push("[{\"space\":\"user:a\"}]"),
            "$.stable[0].stable",
            "required field is missing"),
        Arguments.of(
            "push stable entry with a blank space",
            push("[{\"space\":\" \",\"stable\":3}]"),
            "$.stable[0].space",
            "must not be blank"),
        Arguments.of(
            "push stable negative",
            push("[" + point.formatted("-2") + "]"),
            "$.stable[0].stable",
            "must be >= 0, got -2"),
        Arguments.of(
            "push stable beyond 2^53-1",
            push("[" + point.formatted("9007199254740992") + "]"),
            "$.stable[0].stable",
            "integer out of range"),
        Arguments.of(
            "push stable a boolean",
            push("[" + point.formatted("true") + "]"),
            "$.stable[0].stable",
            "expected an integer, got a boolean"),
        Arguments.of(
            "push stable names a space twice",
            push(
                "["
                    + point.formatted("1")
                    + ",{\"space\":\"b\",\"stable\":1},"
                    + point.formatted("2")
                    + "]"),
            "$.stable[2].space",
            "space 'user:a' is given twice"),
        Arguments.of(
            "sync stable a string", sync("\"3\""), "$.stable", "expected an array, got a string"),
        Arguments.of(
            "sync stable negative",
            sync("[" + point.formatted("-1") + "]"),
            "$.stable[0].stable",
            "must be >= 0, got -1"),
        Arguments.of(
            "sync stable names a space twice",
            sync("[" + point.formatted("1") + "," + point.formatted("1") + "]"),
            "$.stable[1].space",
            "space 'user:a' is given twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidReports_areRefusedAsInvalid_namingThePath(
      String name, String json, String path, String reason) {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> codec.decode(json));
    assertThat(e).as(name).isNotNull();
    assertThat(e.kind()).as(name).isEqualTo(DecodeException.Kind.INVALID);
    assertThat(e.path()).as(name).isEqualTo(path);
    assertThat(e.reason()).as(name).startsWith(reason);
  }

  @Test
  void tooManyEntries_isALimit() {
    ProtocolCodec small = new ProtocolCodec(new CodecLimits(4, 3, 100, 10_000));
    String four =
        "[{\"space\":\"a\",\"stable\":1},{\"space\":\"b\",\"stable\":1},"
            + "{\"space\":\"c\",\"stable\":1},{\"space\":\"d\",\"stable\":1}]";
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> small.decode(sync(four)));
    assertThat(e.kind()).isEqualTo(DecodeException.Kind.LIMIT);
    assertThat(e.path()).isEqualTo("$.stable");
  }
}
