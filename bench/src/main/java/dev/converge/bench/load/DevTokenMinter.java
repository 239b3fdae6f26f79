package dev.converge.bench.load;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Mints two-hour tokens with the local server's development key, for load runs. */
final class DevTokenMinter {
  private static final Duration VALIDITY = Duration.ofHours(2);

  private final PrivateKey key;
  private final String issuer;
  private final String audience;

  /** Reads the PKCS#8 private key in {@code pem} (the server's development key by default). */
  DevTokenMinter(Path pem, String issuer, String audience) {
    this.key = DevKeyPair.readPrivateKey(pem);
    this.issuer = issuer;
    this.audience = audience;
  }

  String mint(String subject, List<String> spaces) {
    Instant now = Instant.now();
    return DevTokens.mint(key, issuer, audience, subject, spaces, now, now.plus(VALIDITY));
  }
}
