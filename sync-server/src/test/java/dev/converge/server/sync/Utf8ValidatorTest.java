package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The frame guard's UTF-8 check: what RFC 3629 allows passes, however the bytes are split. */
class Utf8ValidatorTest {

  private static boolean valid(byte[]... parts) {
    Utf8Validator validator = new Utf8Validator();
    validator.reset();
    for (byte[] part : parts) {
      for (byte b : part) {
        if (!validator.accept(b)) {
          return false;
        }
      }
    }
    return validator.complete();
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void wellFormedText_passes_evenSplitInsideASequence() {
    byte[] text = "a é € 😀 \uFFFD".getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= text.length; cut++) {
      byte[] head = java.util.Arrays.copyOfRange(text, 0, cut);
      byte[] tail = java.util.Arrays.copyOfRange(text, cut, text.length);
      assertThat(valid(head, tail)).as("cut at " + cut).isTrue();
    }
  }

  @Test
  void malformedSequences_fail() {
    assertThat(valid(bytes(0xC3, 0x28))).as("bad continuation").isFalse();
    assertThat(valid(bytes(0x80))).as("lone continuation").isFalse();
    assertThat(valid(bytes(0xC0, 0xAF))).as("overlong '/'").isFalse();
    assertThat(valid(bytes(0xE0, 0x80, 0xAF))).as("overlong 3-byte").isFalse();
    assertThat(valid(bytes(0xED, 0xA0, 0x80))).as("encoded surrogate U+D800").isFalse();
    assertThat(valid(bytes(0xF4, 0x90, 0x80, 0x80))).as("beyond U+10FFFF").isFalse();
    assertThat(valid(bytes(0xFF))).as("0xFF").isFalse();
    assertThat(valid(bytes(0xE2, 0x82))).as("truncated at the end").isFalse();
  }
}
