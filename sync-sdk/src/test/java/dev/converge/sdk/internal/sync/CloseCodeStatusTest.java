package dev.converge.sdk.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.CloseCode;
import dev.converge.sdk.SyncErrorCode;
import org.junit.jupiter.api.Test;

/**
 * Every close code but a normal end leaves a status error, and each one apps get as a typed
 * constant.
 */
class CloseCodeStatusTest {

  @Test
  void everyStatusErrorOfACloseCode_hasItsOwnConstant() {
    for (CloseCode close : CloseCode.values()) {
      String code = Link.statusCode(close);
      if (close == CloseCode.NORMAL || close == CloseCode.GOING_AWAY) {
        assertThat(code).as("%s is no error", close).isNull();
        continue;
      }
      // Every other close leaves a reason in the status: none may end in a silent OFFLINE.
      assertThat(code).as("%s leaves a status error", close).isNotNull();
      assertThat(SyncErrorCode.of(code)).as(close.name()).isNotEqualTo(SyncErrorCode.OTHER);
    }
    assertThat(SyncErrorCode.of(Link.statusCode(CloseCode.TOO_MANY_CONNECTIONS)))
        .isEqualTo(SyncErrorCode.TOO_MANY_CONNECTIONS);
    assertThat(SyncErrorCode.of(Link.statusCode(CloseCode.TOO_SLOW)))
        .isEqualTo(SyncErrorCode.TOO_SLOW);
    assertThat(SyncErrorCode.of(Link.statusCode(CloseCode.PROTOCOL)))
        .isEqualTo(SyncErrorCode.PROTOCOL);
  }
}
