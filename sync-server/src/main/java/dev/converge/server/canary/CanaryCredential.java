package dev.converge.server.canary;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import dev.converge.server.space.SpaceGrants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The canary's bearer token (docs/operations.md "Canary"): read from a file a deployment mounts (a
 * token its identity provider issued for {@link SpaceGrants#CANARY_SUBJECT}), or minted here with a
 * configured signing key whose public key the server trusts. A minted token grants only the canary
 * space, for writing, and lives {@link #LIFETIME}. Thread-safe.
 */
final class CanaryCredential {

  /** Lifetime of a minted token; a new one is minted for every connection. */
  static final Duration LIFETIME = Duration.ofMinutes(10);

  private final Path tokenFile;
  private final Path keyFile;
  private final String issuer;
  private final String audience;
  private volatile PrivateKey key;

  private CanaryCredential(Path tokenFile, Path keyFile, String issuer, String audience) {
    this.tokenFile = tokenFile;
    this.keyFile = keyFile;
    this.issuer = issuer;
    this.audience = audience;
  }

  /** A credential that reads the token from {@code file} each time it is asked. */
  static CanaryCredential fromFile(Path file) {
    return new CanaryCredential(file, null, null, null);
  }

  /** A credential that mints tokens with the PEM private key in {@code keyFile}. */
  static CanaryCredential minting(Path keyFile, String issuer, String audience) {
    return new CanaryCredential(null, keyFile, issuer, audience);
  }

  /**
   * The signing key, read at the first connection rather than at start-up: in development the
   * server creates its key pair during start-up too, in no set order with the canary's start. A key
   * not readable yet fails that connection, which the SDK retries with backoff.
   */
  private PrivateKey key() {
    PrivateKey read = key;
    if (read == null) {
      read = DevKeyPair.readPrivateKey(keyFile);
      key = read;
    }
    return read;
  }

  /** Returns a token for the canary's next connection. */
  String token() {
    if (tokenFile != null) {
      try {
        return Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
      } catch (IOException e) {
        throw new UncheckedIOException("canary token file " + tokenFile + " unreadable", e);
      }
    }
    Instant now = Instant.now();
    return DevTokens.mintWithRoles(
        key(),
        issuer,
        audience,
        SpaceGrants.CANARY_SUBJECT,
        Map.of(SpaceGrants.CANARY_SPACE, "write"),
        List.of(),
        now.minusSeconds(5),
        now.plus(LIFETIME));
  }
}
