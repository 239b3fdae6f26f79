package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log epoch fields of protocol 2 (docs/protocol-2.md "Log epoch"): {@code
 * hello.subscriptions[].epoch}, {@code welcome.spaces[].epoch} and {@code restored}, {@code
 * changes.epoch} and {@code snapshot.epoch}. Optional; strictly checked when present.
 */
class EpochCodecTest {

  private static final String EPOCH = "0123456789abcdef0123456789abcdef";
  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void epochs_roundTrip() {
    List<Message> messages =
        List.of(
            new Message.Hello(
                2, "phone", List.of(new MessageParts.Subscription("user:a", 3, 2L, EPOCH))),
            new Message.Welcome(
                "srv",
                2,
                5,
                List.of(
                    new MessageParts.SpaceHead("user:a", 9, EPOCH, true),
                    new MessageParts.SpaceHead("user:b", 0))),
            new Message.Changes("user:a", 1, 2, List.of(), false, EPOCH),
            new Message.Snapshot("user:a", 2, List.of(), false, EPOCH));
    for (Message message : messages) {
      assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    }
    assertThat(
            codec.encode(
                new Message.Welcome("srv", 2, 5, List.of(new MessageParts.SpaceHead("x", 1)))))
        .doesNotContain("epoch")
        .doesNotContain("restored");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"0123456789ABCDEF0123456789abcdef\"",
        "\"0123456789abcdef\"",
        "\"0123456789abcdef0123456789abcdef0\"",
        "\"zz23456789abcdef0123456789abcdef\"",
        "17",
        "\"\""
      })
  void malformedHelloEpoch_isRefusedWithItsPath(String epoch) {
    String json =
        StablePointCodecTest.hello("{\"space\":\"user:a\",\"since\":3,\"epoch\":" + epoch + "}");
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> codec.decode(json));
    assertThat(e).isNotNull();
    assertThat(e.kind()).isEqualTo(DecodeException.Kind.INVALID);
    assertThat(e.getMessage()).contains("$.subscriptions[0].epoch");
  }
}
