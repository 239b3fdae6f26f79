package dev.converge.sample;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import dev.converge.sdk.TokenSupplier;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Mints development tokens the way a local Converge server accepts them: RS256-signed with the
 * server's development key {@code dev-jwt-private.pem} (PKCS#8 PEM) from its data directory, with
 * the claims {@code iss}, {@code aud}, {@code sub}, {@code iat}, {@code exp} and {@code spaces}.
 *
 * <p>The key is read at the first {@link #mint} that finds it, so an app started before the server
 * (which creates the key on its first start) connects as soon as the key appears. For development
 * only: real deployments get tokens from their identity provider. Thread-safe.
 */
public final class DevTokenSigner {

  /** File name of the development private key in the server's data directory. */
  public static final String PRIVATE_KEY_FILE = DevKeyPair.PRIVATE_KEY_FILE;

  /** How long a minted token is valid; the SDK asks for a fresh one before it expires. */
  public static final Duration VALIDITY = Duration.ofHours(1);

  private final Path keyFile;
  private final String issuer;
  private final String audience;
  private final Clock clock;
  private volatile PrivateKey key;

  /**
   * Creates a signer for the key in {@code dataDir} with the given issuer and audience.
   *
   * @throws NullPointerException if an argument is null
   */
  public DevTokenSigner(Path dataDir, String issuer, String audience, Clock clock) {
    this.keyFile = Objects.requireNonNull(dataDir, "dataDir").resolve(PRIVATE_KEY_FILE);
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns a signer configured like the server: issuer {@code CONVERGE_JWT_ISSUER} (default {@code
   * converge-dev}) and audience {@code CONVERGE_JWT_AUDIENCE} (default {@code converge}).
   */
  public static DevTokenSigner fromEnvironment(Path dataDir) {
    return new DevTokenSigner(
        dataDir,
        DevTokens.env("CONVERGE_JWT_ISSUER", DevTokens.DEFAULT_ISSUER),
        DevTokens.env("CONVERGE_JWT_AUDIENCE", DevTokens.DEFAULT_AUDIENCE),
        Clock.systemUTC());
  }

  /**
   * Returns the data directory the server uses by default: {@code CONVERGE_DATA_DIR}, else {@code
   * ~/.converge}.
   */
  public static Path defaultDataDir() {
    String dir = System.getenv("CONVERGE_DATA_DIR");
    return dir == null || dir.isBlank()
        ? Path.of(System.getProperty("user.home"), ".converge")
        : Path.of(dir);
  }

  /** Returns the private key file this signer reads. */
  public Path keyFile() {
    return keyFile;
  }

  /** Returns a token supplier that mints a fresh token for {@code subject} at every call. */
  public TokenSupplier supplierFor(String subject) {
    Objects.requireNonNull(subject, "subject");
    return () -> mint(subject);
  }

  /**
   * Signs a token for {@code subject}, owner of the space {@code user:<subject>}, with no shared
   * spaces, valid for {@link #VALIDITY} from now.
   *
   * @return the compact JWS
   * @throws TokenException if the key is missing or unreadable, or signing fails
   */
  public String mint(String subject) {
    if (subject == null || subject.isBlank()) {
      throw new TokenException("subject is null or blank");
    }
    Instant now = clock.instant();
    try {
      return DevTokens.mint(key(), issuer, audience, subject, List.of(), now, now.plus(VALIDITY));
    } catch (IllegalStateException e) {
      throw new TokenException("cannot sign a token with " + keyFile + ": " + e.getMessage(), e);
    }
  }

  private PrivateKey key() {
    PrivateKey loaded = key;
    if (loaded == null) {
      loaded = readKey(keyFile.getParent());
      key = loaded;
    }
    return loaded;
  }

  private PrivateKey readKey(Path dataDir) {
    try {
      return DevKeyPair.load(dataDir)
          .orElseThrow(
              () ->
                  new TokenException(
                      "no development key at "
                          + keyFile
                          + " (the server creates it on its first start)"))
          .privateKey();
    } catch (UncheckedIOException e) {
      throw new TokenException(
          "cannot read the development key " + keyFile + ": " + e.getCause().getMessage(), e);
    } catch (IllegalStateException e) {
      throw new TokenException("not a PKCS#8 RSA private key: " + keyFile, e);
    }
  }

  /** Thrown when no token can be minted; the message is one line meant for the user. */
  public static final class TokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TokenException(String message) {
      super(message);
    }

    TokenException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
