package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushLimitsTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private final PushLimits limits = new PushLimits(CODEC);

  /** The push-ready text of a changeset writing one register at {@code depth}. */
  private static String register(int depth, String value) {
    return CODEC.encodeChangeset(registerChangeset(depth, value));
  }

  private static Changeset registerChangeset(int depth, String value) {
    List<String> path = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      path.add("f" + i);
    }
    Document delta =
        new Document().writeRegister("r1", path, TextNode.valueOf(value), new Hlc(1, 0));
    return new Changeset("r1", 1, "user:a", "c", "d", new Hlc(1, 0), delta);
  }

  @Test
  void ordinaryChanges_pass() {
    assertThat(limits.check(register(3, "short"))).isPositive();
    assertThat(limits.check(register(20, "y".repeat(60_000)))).isGreaterThan(60_000);
  }

  @Test
  void eachLimit_isNamed() {
    assertThatThrownBy(() -> limits.check(register(1, "x".repeat(70_000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536");
    assertThatThrownBy(() -> limits.check(register(40, "deep")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("depth");
  }
}
