package dev.converge.devtokens;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Tokens for an app under development against a local Converge server: signed with the development
 * key the server created in its data directory on its first start, with the issuer and audience it
 * expects. Hand it to the SDK as the token supplier:
 *
 * <pre>{@code
 * LocalDevTokens tokens = LocalDevTokens.fromEnvironment();
 * SyncClient.builder().tokenSupplier(() -> tokens.mint("alice")) ...
 * }</pre>
 *
 * <p>The key is read at the first {@link #mint} that finds it, so an app started before the server
 * gets tokens as soon as the server has created the key. For development only: a deployment's
 * server never accepts the development key, and real apps get tokens from their identity provider.
 * Thread-safe.
 */
public final class LocalDevTokens {

  /** How long a minted token is valid; the SDK asks for a fresh one before it expires. */
  public static final Duration VALIDITY = Duration.ofHours(1);

  private final Path dataDir;
  private final String issuer;
  private final String audience;
  private final Clock clock;
  private volatile PrivateKey key;

  /**
   * Creates a minter for the key in {@code dataDir}.
   *
   * @param dataDir the server's data directory (holds {@value DevKeyPair#PRIVATE_KEY_FILE})
   * @param issuer the {@code iss} the server expects
   * @param audience the {@code aud} the server expects
   * @param clock gives {@code iat}; {@code exp} is {@link #VALIDITY} later
   * @throws NullPointerException if an argument is null
   */
  public LocalDevTokens(Path dataDir, String issuer, String audience, Clock clock) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns a minter configured like a local server started with the same environment: data
   * directory {@code CONVERGE_DATA_DIR} (default {@code ~/.converge}), issuer {@code
   * CONVERGE_JWT_ISSUER} (default {@code converge-dev}), audience {@code CONVERGE_JWT_AUDIENCE}
   * (default {@code converge}).
   */
  public static LocalDevTokens fromEnvironment() {
    return in(defaultDataDir());
  }

  /**
   * Returns a minter for the key in {@code dataDir}, with the issuer and audience of {@link
   * #fromEnvironment()}.
   *
   * @throws NullPointerException if {@code dataDir} is null
   */
  public static LocalDevTokens in(Path dataDir) {
    return new LocalDevTokens(
        dataDir,
        DevTokens.env("CONVERGE_JWT_ISSUER", DevTokens.DEFAULT_ISSUER),
        DevTokens.env("CONVERGE_JWT_AUDIENCE", DevTokens.DEFAULT_AUDIENCE),
        Clock.systemUTC());
  }

  /**
   * Returns the server's default data directory: {@code CONVERGE_DATA_DIR}, else {@code
   * ~/.converge}.
   */
  public static Path defaultDataDir() {
    String dir = System.getenv("CONVERGE_DATA_DIR");
    return dir == null || dir.isBlank()
        ? Path.of(System.getProperty("user.home"), ".converge")
        : Path.of(dir);
  }

  /** Returns the private key file this minter signs with. */
  public Path keyFile() {
    return dataDir.resolve(DevKeyPair.PRIVATE_KEY_FILE);
  }

  /**
   * Mints a token for {@code user}, owner of the space {@code user:<user>}, valid for {@link
   * #VALIDITY} from now.
   *
   * @throws IllegalArgumentException if {@code user} is null or blank
   * @throws IllegalStateException if the key is missing or unreadable; the message names the file
   */
  public String mint(String user) {
    return mint(user, List.of());
  }

  /**
   * Mints a token for {@code user} that also grants the shared {@code spaces} (read and write).
   *
   * @throws IllegalArgumentException if {@code user} is null or blank
   * @throws NullPointerException if {@code spaces} or one of them is null
   * @throws IllegalStateException if the key is missing or unreadable; the message names the file
   */
  public String mint(String user, List<String> spaces) {
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("user is null or blank");
    }
    List<String> granted = List.copyOf(spaces);
    Instant now = clock.instant();
    return DevTokens.mint(key(), issuer, audience, user, granted, now, now.plus(VALIDITY));
  }

  private PrivateKey key() {
    PrivateKey loaded = key;
    if (loaded == null) {
      loaded = readKey();
      key = loaded;
    }
    return loaded;
  }

  private PrivateKey readKey() {
    try {
      return DevKeyPair.load(dataDir)
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no development key at "
                          + keyFile()
                          + " (a local server creates it on its first start)"))
          .privateKey();
    } catch (UncheckedIOException e) {
      throw new IllegalStateException(
          "cannot read the development key " + keyFile() + ": " + e.getCause().getMessage(), e);
    }
  }
}
