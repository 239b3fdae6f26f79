package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cheap pre-scan never lets an unpaired surrogate through, whatever precedes it. */
class UnpairedSurrogatesTest {

  @Test
  void preScan_flagsLoneSurrogatesAndTheirEscapes_evenAfterAValidPair() {
    assertThat(UnpairedSurrogates.mayHide("{\"a\":\"plain \\u00e9\"}")).isFalse();
    assertThat(UnpairedSurrogates.mayHide("{\"a\":\"\uD83D\uDE00\"}")).isFalse();
    assertThat(UnpairedSurrogates.mayHide("{\"a\":\"\uD83D\uDE00\",\"b\":\"\\ud800\"}")).isTrue();
    assertThat(UnpairedSurrogates.mayHide("{\"a\":\"\uD83D\uDE00\",\"b\":\"\uDC00\"}")).isTrue();
    assertThat(UnpairedSurrogates.mayHide("{\"a\":\"\\uDFFF\"}")).isTrue();
  }

  @Test
  void codec_refusesAnEscapedLoneSurrogateAfterAValidPair() {
    ProtocolCodec codec = new ProtocolCodec();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> codec.parse("{\"a\":\"\uD83D\uDE00\",\"b\":\"\\ud800\"}"))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("$.b");
  }
}
