package dev.converge.server.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The token rules of Converge beyond signature, issuer and audience, applied to every
 * authentication (REST, the WebSocket upgrade) and to the {@code auth} message.
 *
 * <ul>
 *   <li>The clock leeway {@code converge.jwt.expiry-leeway} (default none) is the only tolerance
 *       for clock differences with the issuer: SmallRye JWT applies it to {@code exp}, and this
 *       class to {@code iat}.
 *   <li>A token issued in the future (beyond the leeway) is refused: its issuer's clock is wrong or
 *       the token was forged to outlive a revocation.
 *   <li>A token without a subject is refused: every space grant derives from it.
 * </ul>
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class TokenRules implements SecurityIdentityAugmentor {

  private final Duration leeway;
  private final Clock clock;

  @Inject
  TokenRules(
      @ConfigProperty(name = "converge.jwt.expiry-leeway", defaultValue = "PT0S") Duration leeway) {
    this(leeway, Clock.systemUTC());
  }

  TokenRules(Duration leeway, Clock clock) {
    if (leeway.isNegative()) {
      throw new IllegalArgumentException("converge.jwt.expiry-leeway < 0: " + leeway);
    }
    this.leeway = leeway;
    this.clock = clock;
  }

  /** Returns the tolerance for clock differences with the token issuer. */
  public Duration leeway() {
    return leeway;
  }

  /**
   * Checks a token SmallRye JWT has verified.
   *
   * @return why the token is refused, or empty when it passes
   */
  public Optional<String> violation(JsonWebToken token) {
    String subject = token.getSubject();
    if (subject == null || subject.isBlank()) {
      return Optional.of("the token has no subject (sub)");
    }
    long issuedAt = token.getIssuedAtTime();
    if (issuedAt > 0 && Instant.ofEpochSecond(issuedAt).isAfter(clock.instant().plus(leeway))) {
      return Optional.of(
          "the token was issued in the future (iat " + Instant.ofEpochSecond(issuedAt) + ")");
    }
    return Optional.empty();
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.getPrincipal() instanceof JsonWebToken token) {
      Optional<String> refused = violation(token);
      if (refused.isPresent()) {
        return Uni.createFrom().failure(new AuthenticationFailedException(refused.get()));
      }
    }
    return Uni.createFrom().item(identity);
  }
}
