package dev.converge.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevKeyPairTest {

  @TempDir Path dir;

  @Test
  void firstCallCreatesThePair_laterCallsLoadTheSameOne() throws IOException {
    DevKeyPair first = DevKeyPair.loadOrCreate(dir.resolve("data"));
    DevKeyPair second = DevKeyPair.loadOrCreate(dir.resolve("data"));

    assertThat(first.created()).isTrue();
    assertThat(second.created()).isFalse();
    assertThat(second.privateKey().getEncoded()).isEqualTo(first.privateKey().getEncoded());
    assertThat(second.publicKey()).isEqualTo(first.publicKey());
    assertThat(Files.readString(dir.resolve("data").resolve(DevKeyPair.PUBLIC_KEY_FILE)))
        .isEqualTo(first.publicKeyPem());
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(
                    dir.resolve("data").resolve(DevKeyPair.PRIVATE_KEY_FILE))))
        .isEqualTo("rw-------");
  }

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
