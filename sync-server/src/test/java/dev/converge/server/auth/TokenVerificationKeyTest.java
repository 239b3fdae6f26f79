package dev.converge.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.devtokens.DevKeyPair;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerificationKeyTest {

  @TempDir Path dir;

  @Test
  void configuredDeploymentKey_meansTheDevKeyIsNeverCreated() {
    Path data = dir.resolve("data");
    var keys =
        new TokenVerificationKey(
            Optional.of("/etc/converge/jwt-public.pem"), Optional.empty(), Optional.empty(), data);

    keys.onStart(null);

    assertThat(keys.usesDevelopmentKey()).isFalse();
    assertThat(data).doesNotExist();
  }

  @Test
  void noneIsSmallRyesWordForUnset_soTheDevKeyIsUsed() {
    Path data = dir.resolve("data");
    var keys =
        new TokenVerificationKey(Optional.empty(), Optional.of("NONE"), Optional.empty(), data);

    keys.onStart(null);

    assertThat(keys.usesDevelopmentKey()).isTrue();
    assertThat(DevKeyPair.exists(data)).isTrue();
  }
}
