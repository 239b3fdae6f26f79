package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.sdk.internal.sync.SyncMachine;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The typed status errors cover every server code and every condition the SDK reports itself. */
class SyncErrorCodeTest {

  /** The codes the SDK sets in {@link SyncStatus#lastError()} itself (Link, SyncMachine). */
  private static final Set<String> LOCAL_CODES =
      Set.of(
          SyncMachine.HANDSHAKE_TIMED_OUT,
          SyncMachine.TOKEN_SUPPLIER_FAILED,
          "too_slow",
          "too_many_connections",
          "protocol");

  @Test
  void everyWireCode_hasItsOwnConstant() {
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(SyncErrorCode.of(code.wire()))
          .as(code.wire())
          .isNotEqualTo(SyncErrorCode.OTHER)
          .extracting(Enum::name)
          .isEqualTo(code.name());
    }
  }

  @Test
  void everyLocalCondition_hasItsOwnConstant() {
    assertThat(SyncErrorCode.of(SyncMachine.HANDSHAKE_TIMED_OUT))
        .isEqualTo(SyncErrorCode.HANDSHAKE_TIMEOUT);
    assertThat(SyncErrorCode.of(SyncMachine.TOKEN_SUPPLIER_FAILED))
        .isEqualTo(SyncErrorCode.TOKEN_SUPPLIER_FAILED);
    assertThat(SyncErrorCode.of("too_slow")).isEqualTo(SyncErrorCode.TOO_SLOW);
    assertThat(SyncErrorCode.of("protocol")).isEqualTo(SyncErrorCode.PROTOCOL);
  }

  @Test
  void everyConstant_isAWireCodeOrALocalCondition_andNothingElse() {
    Set<String> known =
        Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toSet());
    for (SyncErrorCode value : SyncErrorCode.values()) {
      if (value == SyncErrorCode.OTHER) {
        continue;
      }
      String code = value.name().toLowerCase(java.util.Locale.ROOT);
      assertThat(known.contains(code) || LOCAL_CODES.contains(code)).as(code).isTrue();
    }
  }

  @Test
  void unknownCodesAreOther_andNoErrorIsNull() {
    assertThat(SyncErrorCode.of("something_new")).isEqualTo(SyncErrorCode.OTHER);
    assertThat(SyncErrorCode.of("other")).isEqualTo(SyncErrorCode.OTHER);
    assertThat(SyncErrorCode.of("RATE_LIMITED")).isEqualTo(SyncErrorCode.OTHER);
    assertThat(SyncErrorCode.of(null)).isNull();
  }

  @Test
  void status_derivesTheCodeFromItsLastError() {
    SyncStatus limited =
        new SyncStatus(ConnectionState.ONLINE, 1, 0, null, Map.of(), "rate_limited");
    assertThat(limited.lastErrorCode()).isEqualTo(SyncErrorCode.RATE_LIMITED);
    assertThat(limited.lastError()).isEqualTo("rate_limited");
    SyncStatus fine = new SyncStatus(ConnectionState.ONLINE, 0, 0, null, Map.of(), null);
    assertThat(fine.lastErrorCode()).isNull();
    SyncStatus newer = new SyncStatus(ConnectionState.OFFLINE, 0, 0, null, Map.of(), "brand_new");
    assertThat(newer.lastErrorCode()).isEqualTo(SyncErrorCode.OTHER);
    assertThat(newer.lastError()).isEqualTo("brand_new");
  }
}
