package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared vocabulary: message type names, and error and close codes unique on the wire and all
 * documented for clients.
 */
class ProtocolVocabularyTest {

  private static final Path PROTOCOL_DOC = Path.of("..", "openapi", "websocket-protocol.md");

  @Test
  void errorCodesAreUniqueAndRoundTrip() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire)).doesNotHaveDuplicates();
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(ErrorCode.fromWire(code.wire())).contains(code);
      assertThat(new Message.Error(code, "m", null).knownCode()).contains(code);
    }
  }

  @Test
  void everyMessageTypeHasItsWireName() {
    assertThat(Arrays.stream(Message.class.getPermittedSubclasses()).map(WireNames::of))
        .containsExactly(
            "hello",
            "welcome",
            "push",
            "ack",
            "changes",
            "snapshot",
            "auth",
            "authed",
            "revoked",
            "sync",
            "synced",
            "fetch",
            "docs",
            "subscribe",
            "subscribed",
            "unsubscribe",
            "unsubscribed",
            "digest",
            "digests",
            "error");
    assertThat(new Message.Sync(7).type()).isEqualTo("sync");
    assertThat(new Encoded.Push(List.of(), List.of()).type()).isEqualTo("push");
  }

  @Test
  void unknownCodesAreTransient() {
    assertThat(ErrorCode.fromWire("quota_exceeded_in_a_later_version")).isEmpty();
    assertThat(new Message.Error("something_new", "m", null).handling())
        .isEqualTo(ErrorCode.Handling.RETRY);
  }

  @Test
  void refusalsOfTheTrustBoundaryAreConsumedAndHistoryDisagreementsReKey() {
    assertThat(ErrorCode.DOT_FORGED.handling()).isEqualTo(ErrorCode.Handling.CONSUMED);
    assertThat(ErrorCode.CONTEXT_FORGED.handling()).isEqualTo(ErrorCode.Handling.CONSUMED);
    assertThat(ErrorCode.SEQ_GAP.handling()).isEqualTo(ErrorCode.Handling.REKEY);
    assertThat(ErrorCode.TOKEN_EXPIRED.handling()).isEqualTo(ErrorCode.Handling.NEW_TOKEN);
    assertThat(ErrorCode.INTERNAL.handling()).isEqualTo(ErrorCode.Handling.RETRY);
  }

  @Test
  void everyCodeIsInTheProtocolDocument() throws IOException {
    String doc = Files.readString(PROTOCOL_DOC);
    String errorTable = doc.substring(doc.indexOf("## Error codes"), doc.indexOf("## Close codes"));
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(errorTable).as("error code %s documented", code).contains("`" + code.wire() + "`");
    }
    for (CloseCode code : CloseCode.values()) {
      assertThat(doc)
          .as("close code %s documented", code)
          .containsPattern("\\| [0-9, ]*" + code.code() + "[ ,]");
    }
    assertThat(Arrays.stream(CloseCode.values()).map(CloseCode::code)).doesNotHaveDuplicates();
    assertThat(CloseCode.of(4008)).contains(CloseCode.TOO_SLOW);
    assertThat(CloseCode.of(1234)).isEmpty();
  }
}
