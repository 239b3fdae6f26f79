package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.ErrorCode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The typed rejection reasons cover every code that can reject a change, and nothing else. */
class RejectionReasonTest {

  @Test
  void everyConsumingCode_hasItsOwnReason_andUnknownCodesAreOther() {
    Arrays.stream(ErrorCode.values())
        .filter(c -> c.handling() == ErrorCode.Handling.CONSUMED)
        .filter(c -> c != ErrorCode.TOO_MANY_SPACES)
        .forEach(
            c ->
                assertThat(RejectionReason.of(c.wire()))
                    .as(c.wire())
                    .isNotEqualTo(RejectionReason.OTHER)
                    .extracting(Enum::name)
                    .isEqualTo(c.name()));
    assertThat(RejectionReason.of("revoked")).isEqualTo(RejectionReason.REVOKED);
    assertThat(RejectionReason.of("unsubscribed")).isEqualTo(RejectionReason.UNSUBSCRIBED);
    assertThat(RejectionReason.of("other")).isEqualTo(RejectionReason.OTHER);
    assertThat(RejectionReason.of("something_new")).isEqualTo(RejectionReason.OTHER);
    assertThat(RejectionReason.of(null)).isEqualTo(RejectionReason.OTHER);
  }
}
