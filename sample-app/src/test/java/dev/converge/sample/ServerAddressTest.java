package dev.converge.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ServerAddressTest {

  @Test
  void theServersHttpUrl_mapsToItsSyncWebSocket() {
    assertThat(ServerAddress.syncUri("http://localhost:8080"))
        .isEqualTo(URI.create("ws://localhost:8080/v1/sync"));
    assertThat(ServerAddress.syncUri("http://localhost:8080/"))
        .isEqualTo(URI.create("ws://localhost:8080/v1/sync"));
    assertThat(ServerAddress.syncUri("HTTPS://sync.example.com"))
        .isEqualTo(URI.create("wss://sync.example.com/v1/sync"));
    assertThat(ServerAddress.syncUri("https://example.com/converge/"))
        .isEqualTo(URI.create("wss://example.com/converge/v1/sync"));
    assertThat(ServerAddress.syncUri("http://127.0.0.1:9/v1/sync"))
        .isEqualTo(URI.create("ws://127.0.0.1:9/v1/sync"));
  }

  @Test
  void aWebSocketUri_isKept_andGetsThePathWhenItHasNone() {
    assertThat(ServerAddress.syncUri("ws://localhost:8080/v1/sync"))
        .isEqualTo(URI.create("ws://localhost:8080/v1/sync"));
    assertThat(ServerAddress.syncUri("wss://proxy.example.com/custom"))
        .isEqualTo(URI.create("wss://proxy.example.com/custom"));
    assertThat(ServerAddress.syncUri("ws://localhost:8080"))
        .isEqualTo(URI.create("ws://localhost:8080/v1/sync"));
  }

  @Test
  void anythingElse_isRefusedWithWhatIsAccepted() {
    for (String bad :
        new String[] {
          "localhost:8080",
          "ftp://localhost:8080",
          "http://",
          "http:///v1/sync",
          "not a url",
          "http://localhost:8080/?x=1"
        }) {
      assertThatThrownBy(() -> ServerAddress.syncUri(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--server '" + bad + "' ")
          .hasMessageContaining("http://localhost:8080")
          .hasMessageContaining("ws://localhost:8080/v1/sync");
    }
  }
}
