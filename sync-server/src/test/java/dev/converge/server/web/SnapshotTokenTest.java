package dev.converge.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.server.error.SyncError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshot page tokens round-trip, and anything else is refused as {@code invalid}. */
class SnapshotTokenTest {

  @Test
  void tokenRoundTrips_withAnyIds() {
    SnapshotToken token = new SnapshotToken("team:42", 17, "carts/x", "main\u0000é");
    assertThat(SnapshotToken.decode("team:42", token.encode())).isEqualTo(token);
    assertThat(token.encode()).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void tokensThatAreNotThisSpacesAreInvalid() {
    String good = new SnapshotToken("team:42", 17, "carts", "main").encode();
    String json = "{\"v\":1,\"space\":\"team:42\",\"head\":-1,\"c\":\"carts\",\"d\":\"main\"}";
    for (String bad :
        List.of(
            "%%%",
            "bm90IGpzb24",
            good.substring(0, good.length() - 3),
            "x" + good,
            encode("[1,2]"),
            encode(json),
            encode(json.replace("-1", "\"17\"")),
            encode(json.replace("\"v\":1", "\"v\":2")),
            "a".repeat(5_000))) {
      SyncError error =
          catchThrowableOfType(SyncError.class, () -> SnapshotToken.decode("team:42", bad));
      assertThat(error).as(bad).isNotNull();
      assertThat(error.code()).isEqualTo(ErrorCode.INVALID.wire());
    }
    SyncError other =
        catchThrowableOfType(SyncError.class, () -> SnapshotToken.decode("team:43", good));
    assertThat(other.code()).isEqualTo(ErrorCode.INVALID.wire());
  }

  private static String encode(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
