package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * A hello's {@code lineage}: bounded, made of replica ids, and meaningful only with a predecessor.
 */
class LineageCodecTest {

  private final ProtocolCodec codec = new ProtocolCodec();

  private static String hello(String extra) {
    return "{\"type\":\"hello\",\"protocol\":2,\"replicaId\":\"TGFwdG9wUmVwbGljYUlkMQ\","
        + "\"subscriptions\":[]"
        + extra
        + "}";
  }

  @Test
  void lineage_decodesInOrder_andIsAbsentFromAHelloWithoutIt() {
    Message.Hello hello =
        (Message.Hello)
            codec.decode(
                hello(
                    ",\"predecessor\":\"Q2FydFBob25lUmVwbGljYQ\","
                        + "\"lineage\":[\"T2xkZXN0UmVwbGljYUlkMA\",\"T2xkZXJSZXBsaWNhSWQwMQ\"]"));
    assertThat(hello.lineage()).containsExactly("T2xkZXN0UmVwbGljYUlkMA", "T2xkZXJSZXBsaWNhSWQwMQ");
    assertThat(((Message.Hello) codec.decode(hello(""))).lineage()).isEmpty();
    assertThat(codec.encode(codec.decode(hello("")))).doesNotContain("lineage");
  }

  @Test
  void lineageWithoutAPredecessor_meansNothing_andIsDropped() {
    Message.Hello hello =
        (Message.Hello) codec.decode(hello(",\"lineage\":[\"T2xkZXN0UmVwbGljYUlkMA\"]"));
    assertThat(hello.predecessor()).isNull();
    assertThat(hello.lineage()).isEmpty();
  }

  @Test
  void lineageBeyondItsBound_orOfNonIds_isRefusedWithWhatWasWrong() {
    String tooLong =
        "[" + String.join(",", Collections.nCopies(16, "\"T2xkZXN0UmVwbGljYUlkMA\"")) + "]";
    assertThatThrownBy(
            () ->
                codec.decode(
                    hello(",\"predecessor\":\"Q2FydFBob25lUmVwbGljYQ\",\"lineage\":" + tooLong)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("lineage")
        .hasMessageContaining("at most 15");
    assertThatThrownBy(
            () ->
                codec.decode(
                    hello(
                        ",\"predecessor\":\"Q2FydFBob25lUmVwbGljYQ\",\"lineage\":[\"no spaces\"]")))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("lineage");
    assertThat(Message.Hello.MAX_LINEAGE).isEqualTo(15);
  }
}
