package dev.converge.e2e;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Tokens signed with the test server's development key, for fresh subjects per test. */
final class TestTokens {

  private TestTokens() {}

  /** A new unique subject name. */
  static String subject(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A token for {@code subject} granting {@code spaces}, valid for {@code ttl}. */
  static String mint(String subject, List<String> spaces, Duration ttl) {
    return DevTokens.mint(
        DevKeyPair.loadOrCreate(TestServer.DATA_DIR).privateKey(),
        DevTokens.DEFAULT_ISSUER,
        DevTokens.DEFAULT_AUDIENCE,
        subject,
        spaces,
        Instant.now().minusSeconds(5),
        Instant.now().plus(ttl));
  }

  /** A token for {@code subject} with a role ({@code read}, {@code write}) per shared space. */
  static String mintRoles(String subject, Map<String, String> roles) {
    return DevTokens.mintWithRoles(
        DevKeyPair.loadOrCreate(TestServer.DATA_DIR).privateKey(),
        DevTokens.DEFAULT_ISSUER,
        DevTokens.DEFAULT_AUDIENCE,
        subject,
        roles,
        List.of(),
        Instant.now().minusSeconds(5),
        Instant.now().plus(Duration.ofMinutes(10)));
  }

  /** A token of the {@code converge-admin} group, for the erasure endpoints. */
  static String admin() {
    return DevTokens.mintWithRoles(
        DevKeyPair.loadOrCreate(TestServer.DATA_DIR).privateKey(),
        DevTokens.DEFAULT_ISSUER,
        DevTokens.DEFAULT_AUDIENCE,
        subject("operator"),
        Map.of(),
        List.of("converge-admin"),
        Instant.now().minusSeconds(5),
        Instant.now().plus(Duration.ofMinutes(10)));
  }

  /** A token for {@code subject} with no shared spaces, valid for ten minutes. */
  static String mint(String subject) {
    return mint(subject, List.of(), Duration.ofMinutes(10));
  }
}
