package dev.converge.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.LocalDevTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's tokens come from {@link LocalDevTokens} (module dev-tokens): minted against a
 * temporary key pair written the way the server writes its own, with the one-line messages the
 * sample prints.
 */
class SampleDevTokensTest {

  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

  @TempDir Path dir;

  /** Writes a fresh RSA key pair as {@code dev-jwt-private.pem} (PKCS#8 PEM) and returns it. */
  static KeyPair writeKeyPair(Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(dir.resolve(DevKeyPair.PRIVATE_KEY_FILE), pem, StandardCharsets.US_ASCII);
    return pair;
  }

  @Test
  void aMintedToken_isRs256_withTheServersClaims_validForOneHour() throws Exception {
    KeyPair pair = writeKeyPair(dir);
    LocalDevTokens tokens =
        new LocalDevTokens(dir, "converge-dev", "converge", Clock.fixed(NOW, ZoneOffset.UTC));

    String token = tokens.mint("alice");

    JwtConsumer consumer =
        new JwtConsumerBuilder()
            .setVerificationKey(pair.getPublic())
            .setJwsAlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
            .setExpectedIssuer("converge-dev")
            .setExpectedAudience("converge")
            .setRequireSubject()
            .setRequireExpirationTime()
            .setEvaluationTime(NumericDate.fromMilliseconds(NOW.plusSeconds(60).toEpochMilli()))
            .build();
    JwtClaims claims = consumer.processToClaims(token);
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssuedAt().getValue()).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getExpirationTime().getValue())
        .isEqualTo(NOW.plusSeconds(3600).getEpochSecond());
    assertThat(claims.getStringListClaimValue("spaces")).isEmpty();
  }

  @Test
  void theSupplier_mintsAFreshTokenAtEveryCall() throws Exception {
    writeKeyPair(dir);
    Instant[] now = {NOW};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    LocalDevTokens tokens = new LocalDevTokens(dir, "converge-dev", "converge", moving);
    String first = tokens.mint("alice");
    now[0] = NOW.plusSeconds(2_900);
    String second = tokens.mint("alice");

    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void noKey_isAOneLineMessage_andAKeyAppearingLaterIsUsed() throws Exception {
    LocalDevTokens tokens = LocalDevTokens.in(dir);

    assertThatThrownBy(() -> tokens.mint("alice"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "no development key at "
                + dir.resolve("dev-jwt-private.pem")
                + " (a local server creates it on its first start)");

    writeKeyPair(dir);
    assertThat(tokens.mint("alice")).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
  }

  @Test
  void aBrokenKeyFile_isNamed() throws Exception {
    Files.writeString(
        dir.resolve(DevKeyPair.PRIVATE_KEY_FILE),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> LocalDevTokens.in(dir).mint("alice"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("invalid development JWT key " + dir.resolve("dev-jwt-private.pem"))
        .hasMessageNotContaining("\n");
  }
}
