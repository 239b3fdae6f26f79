package dev.converge.server.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Mints RS256 tokens in the shape the server accepts: {@code iss}, {@code aud}, {@code sub}, {@code
 * iat}, {@code exp} and {@code spaces}, the array of shared spaces granted beside the subject's own
 * {@code user:<sub>}.
 *
 * <p>For development and tests only; a deployment's tokens come from its identity provider.
 * Stateless and thread-safe.
 */
public final class DevTokens {

  private DevTokens() {}

  /**
   * Signs a token.
   *
   * @param key the RSA private key to sign with
   * @param issuer the {@code iss} claim
   * @param audience the {@code aud} claim
   * @param subject the {@code sub} claim
   * @param spaces the {@code spaces} claim, possibly empty
   * @param issuedAt the {@code iat} claim
   * @param expiresAt the {@code exp} claim
   * @return the compact JWS
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code subject} is blank
   */
  public static String mint(
      PrivateKey key,
      String issuer,
      String audience,
      String subject,
      List<String> spaces,
      Instant issuedAt,
      Instant expiresAt) {
    Objects.requireNonNull(key, "key");
    if (Objects.requireNonNull(subject, "subject").isBlank()) {
      throw new IllegalArgumentException("subject is blank");
    }
    return Jwt.issuer(Objects.requireNonNull(issuer, "issuer"))
        .audience(Objects.requireNonNull(audience, "audience"))
        .subject(subject)
        .claim("spaces", List.copyOf(spaces))
        .issuedAt(issuedAt)
        .expiresAt(expiresAt)
        .jws()
        .algorithm(SignatureAlgorithm.RS256)
        .sign(key);
  }
}
