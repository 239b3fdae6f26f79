package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The document re-read of protocol 2: {@code fetch} and {@code docs}. Strictly checked, each
 * refusal naming its JSON path.
 */
class FetchCodecTest {

  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void fetchWithoutDocuments_decodesAsAnEmptyFetch() {
    assertThat(codec.decode("{\"type\":\"fetch\",\"ref\":1,\"space\":\"user:a\",\"docs\":[]}"))
        .isEqualTo(new Message.Fetch(1, "user:a", List.of()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"type\":\"fetch\",\"ref\":1,\"space\":\"user:a\",\"docs\":[{\"collection\":\"c\",\"docId\":\"d\"},{\"collection\":\"c\",\"docId\":\"d\"}]}|$.docs[1]",
        "{\"type\":\"fetch\",\"ref\":1,\"space\":\"user:a\",\"docs\":[{\"collection\":\"c\"}]}|$.docs[0].docId",
        "{\"type\":\"fetch\",\"ref\":-1,\"space\":\"user:a\",\"docs\":[]}|$.ref",
        "{\"type\":\"fetch\",\"ref\":1,\"docs\":[]}|$.space",
        "{\"type\":\"fetch\",\"ref\":1,\"space\":\"user:a\"}|$.docs",
        "{\"type\":\"docs\",\"ref\":1,\"space\":\"user:a\",\"docs\":[]}|$.head",
        "{\"type\":\"docs\",\"ref\":1,\"space\":\"user:a\",\"head\":3,\"docs\":[{\"collection\":\"c\",\"docId\":\"d\"}]}|$.docs[0].state",
      })
  void malformedFetchOrDocs_isRefusedNamingItsPath(String json, String path) {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> codec.decode(json));
    assertThat(e).isNotNull();
    assertThat(e.path()).isEqualTo(path);
  }
}
