package dev.converge.server.sync;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Tokens signed with the test server's development key, for fresh subjects per test. */
public final class TestTokens {
  private static final Path DATA_DIR = Path.of("target/converge-data");

  private TestTokens() {}

  /** A new unique subject name. */
  public static String subject(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A token for {@code subject} granting {@code spaces}, valid for {@code ttl}. */
  public static String mint(String subject, List<String> spaces, Duration ttl) {
    return DevTokens.mint(
        DevKeyPair.loadOrCreate(DATA_DIR).privateKey(),
        "converge-dev",
        "converge",
        subject,
        spaces,
        Instant.now().minusSeconds(5),
        Instant.now().plus(ttl));
  }

  /** A token for {@code subject} with a role ({@code read}, {@code write}) per shared space. */
  public static String mintRoles(String subject, Map<String, String> roles, List<String> groups) {
    return DevTokens.mintWithRoles(
        DevKeyPair.loadOrCreate(DATA_DIR).privateKey(),
        "converge-dev",
        "converge",
        subject,
        roles,
        groups,
        Instant.now().minusSeconds(5),
        Instant.now().plus(Duration.ofMinutes(10)));
  }

  /** A token for {@code subject} with no shared spaces, valid for ten minutes. */
  public static String mint(String subject) {
    return mint(subject, List.of(), Duration.ofMinutes(10));
  }
}
