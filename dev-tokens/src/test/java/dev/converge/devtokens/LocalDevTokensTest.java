package dev.converge.devtokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDevTokensTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir Path dir;

  private LocalDevTokens tokens() {
    return new LocalDevTokens(dir, "converge-dev", "converge", Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void mint_signsWithTheServersKey_forTheUser_validOneHour() throws Exception {
    DevKeyPair pair = DevKeyPair.loadOrCreate(dir);

    JwtClaims claims = verify(pair, tokens().mint("alice", List.of("team:1")));

    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssuer()).isEqualTo("converge-dev");
    assertThat(claims.getAudience()).containsExactly("converge");
    assertThat(claims.getStringListClaimValue("spaces")).containsExactly("team:1");
    assertThat(claims.getIssuedAt().getValue()).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue())
        .isEqualTo(LocalDevTokens.VALIDITY.getSeconds());
  }

  @Test
  void mint_withoutTheKey_saysWhereItLooked_andWorksOnceTheServerCreatedIt() throws Exception {
    LocalDevTokens tokens = tokens();

    assertThatThrownBy(() -> tokens.mint("alice"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.resolve(DevKeyPair.PRIVATE_KEY_FILE).toString())
        .hasMessageContaining("first start");

    DevKeyPair pair = DevKeyPair.loadOrCreate(dir);
    assertThat(verify(pair, tokens.mint("alice")).getStringListClaimValue("spaces")).isEmpty();
  }

  @Test
  void mint_refusesABlankUser() {
    DevKeyPair.loadOrCreate(dir);
    assertThatThrownBy(() -> tokens().mint(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tokens().mint(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void in_readsTheKeyOfTheGivenDirectory() {
    assertThat(LocalDevTokens.in(dir).keyFile())
        .isEqualTo(dir.resolve(DevKeyPair.PRIVATE_KEY_FILE));
  }

  private static JwtClaims verify(DevKeyPair pair, String token) throws Exception {
    return new JwtConsumerBuilder()
        .setVerificationKey(pair.publicKey())
        .setExpectedAudience("converge")
        .setSkipDefaultAudienceValidation()
        .setEvaluationTime(org.jose4j.jwt.NumericDate.fromSeconds(NOW.getEpochSecond() + 60))
        .build()
        .processToClaims(token);
  }
}
