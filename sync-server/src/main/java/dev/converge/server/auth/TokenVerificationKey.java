package dev.converge.server.auth;

import dev.converge.devtokens.DevKeyPair;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.config.JWTAuthContextInfoProvider;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Chooses the key that verifies bearer tokens.
 *
 * <p>A deployment configures its public key with {@code mp.jwt.verify.publickey.location} (env
 * {@code MP_JWT_VERIFY_PUBLICKEY_LOCATION}), {@code mp.jwt.verify.publickey} or {@code
 * smallrye.jwt.verify.key.location}; SmallRye JWT then verifies with it and the development key is
 * never created nor read. With none of them, the server verifies with the {@link DevKeyPair} in
 * {@code converge.data-dir}, creating it at first start and saying so in its log, so that local use
 * needs no extra step.
 *
 * <p>Thread safety: the development key is resolved once, at start-up, before any request.
 */
@ApplicationScoped
public class TokenVerificationKey {

  private static final Logger LOG = Logger.getLogger(TokenVerificationKey.class);

  private final Optional<String> deploymentKey;
  private final Path dataDir;
  private volatile DevKeyPair devKey;

  TokenVerificationKey(
      @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location,
      @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> inlineKey,
      @ConfigProperty(name = "smallrye.jwt.verify.key.location") Optional<String> smallryeLocation,
      @ConfigProperty(name = "converge.data-dir") Path dataDir) {
    this.deploymentKey =
        set(location)
            .or(() -> set(smallryeLocation))
            .or(() -> set(inlineKey).map(k -> "(inline key)"));
    this.dataDir = dataDir;
  }

  void onStart(@Observes StartupEvent event) {
    if (deploymentKey.isPresent()) {
      LOG.infof("Verifying JWTs with the configured public key %s", deploymentKey.get());
      return;
    }
    DevKeyPair keys = devKey();
    if (keys.created()) {
      LOG.warnf(
          "Created a development JWT key pair in %s (%s, %s); tokens signed with it are accepted."
              + " Mint one: scripts/mint-token.sh --sub alice --spaces team:1."
              + " A deployment sets MP_JWT_VERIFY_PUBLICKEY_LOCATION instead.",
          keys.directory().toAbsolutePath(),
          DevKeyPair.PRIVATE_KEY_FILE,
          DevKeyPair.PUBLIC_KEY_FILE);
    } else {
      LOG.warnf(
          "Verifying JWTs with the development key in %s (no MP_JWT_VERIFY_PUBLICKEY_LOCATION set)",
          keys.directory().toAbsolutePath());
    }
  }

  /** Whether tokens are verified with the development key pair. */
  public boolean usesDevelopmentKey() {
    return deploymentKey.isEmpty();
  }

  /**
   * Replaces SmallRye JWT's verification settings: the configured ones, plus the development public
   * key when no deployment key is configured, with {@link TokenRules#leeway()} as the only clock
   * tolerance.
   */
  @Produces
  @Alternative
  @Priority(1)
  @ApplicationScoped
  JWTAuthContextInfo contextInfo(JWTAuthContextInfoProvider configured, TokenRules rules) {
    JWTAuthContextInfo info = new JWTAuthContextInfo(configured.getContextInfo());
    // SmallRye's own tolerance (mp.jwt.verify.clock.skew) defaults to 60 s; Converge's leeway
    // replaces it.
    int leewaySeconds = (int) Math.min(Integer.MAX_VALUE, rules.leeway().toSeconds());
    info.setClockSkew(leewaySeconds);
    if (usesDevelopmentKey()) {
      info.setPublicVerificationKey(devKey().publicKey());
    }
    return info;
  }

  /** "NONE" is SmallRye JWT's word for unset; Quarkus' dev/test mode writes it. */
  private static Optional<String> set(Optional<String> value) {
    return value.map(String::trim).filter(v -> !v.isEmpty() && !"NONE".equals(v));
  }

  private DevKeyPair devKey() {
    DevKeyPair keys = devKey;
    if (keys == null) {
      synchronized (this) {
        keys = devKey;
        if (keys == null) {
          keys = DevKeyPair.loadOrCreate(dataDir);
          devKey = keys;
        }
      }
    }
    return keys;
  }
}
