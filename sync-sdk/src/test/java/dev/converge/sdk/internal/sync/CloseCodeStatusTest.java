package dev.converge.sdk.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.CloseCode;
import dev.converge.sdk.SyncErrorCode;
import org.junit.jupiter.api.Test;

/** Every close code that leaves a status error leaves one apps get as a typed constant. */
class CloseCodeStatusTest {

  @Test
  void everyStatusErrorOfACloseCode_hasItsOwnConstant() {
    int leaving = 0;
    for (CloseCode close : CloseCode.values()) {
      String code = Link.statusCode(close);
      if (code == null) {
        continue;
      }
      leaving++;
      assertThat(SyncErrorCode.of(code)).as(close.name()).isNotEqualTo(SyncErrorCode.OTHER);
    }
    assertThat(leaving).isGreaterThanOrEqualTo(4);
    assertThat(SyncErrorCode.of(Link.statusCode(CloseCode.TOO_SLOW)))
        .isEqualTo(SyncErrorCode.TOO_SLOW);
    assertThat(SyncErrorCode.of(Link.statusCode(CloseCode.PROTOCOL)))
        .isEqualTo(SyncErrorCode.PROTOCOL);
  }
}
