package dev.converge.devtokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
  void loadReadsAnExistingPair_andSaysWhenThereIsNone() {
    Path data = dir.resolve("data");
    assertThat(DevKeyPair.load(data)).isEmpty();
    DevKeyPair created = DevKeyPair.loadOrCreate(data);
    assertThat(DevKeyPair.load(data))
        .get()
        .satisfies(k -> assertThat(k.publicKey()).isEqualTo(created.publicKey()));
  }

  @Test
  void aMintedTokenVerifiesWithThePublicKey_andCarriesTheClaims() throws Exception {
    DevKeyPair keys = DevKeyPair.loadOrCreate(dir.resolve("data"));
    java.time.Instant now = java.time.Instant.now();
    String token =
        DevTokens.mint(
            keys.privateKey(),
            "converge-dev",
            "converge",
            "alice",
            java.util.List.of("team:1"),
            now,
            now.plusSeconds(60));

    var consumer =
        new org.jose4j.jwt.consumer.JwtConsumerBuilder()
            .setVerificationKey(keys.publicKey())
            .setExpectedIssuer("converge-dev")
            .setExpectedAudience("converge")
            .build();
    var claims = consumer.processToClaims(token);
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getStringListClaimValue("spaces")).containsExactly("team:1");
    assertThat(claims.getExpirationTime().getValue())
        .isEqualTo(now.plusSeconds(60).getEpochSecond());
  }

  @Test
  void aBlankSubjectIsRefused() {
    DevKeyPair keys = DevKeyPair.loadOrCreate(dir.resolve("data"));
    java.time.Instant now = java.time.Instant.now();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DevTokens.mint(
                    keys.privateKey(), "i", "a", " ", java.util.List.of(), now, now.plusSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subject");
  }
}
