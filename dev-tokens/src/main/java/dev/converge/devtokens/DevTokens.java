package dev.converge.devtokens;

import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Mints RS256 tokens in the shape the server accepts: {@code iss}, {@code aud}, {@code sub}, {@code
 * iat}, {@code exp} and {@code spaces}, the array of shared spaces granted beside the subject's own
 * {@code user:<sub>}. The one minter of the project: the server's command line, the sample app, the
 * benchmarks and the tests all sign through it.
 *
 * <p>For development and tests only; a deployment's tokens come from its identity provider.
 * Stateless and thread-safe.
 */
public final class DevTokens {

  /** The issuer a local server expects unless {@code CONVERGE_JWT_ISSUER} says otherwise. */
  public static final String DEFAULT_ISSUER = "converge-dev";

  /** The audience a local server expects unless {@code CONVERGE_JWT_AUDIENCE} says otherwise. */
  public static final String DEFAULT_AUDIENCE = "converge";

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
   * @throws IllegalStateException if the key cannot sign
   */
  public static String mint(
      PrivateKey key,
      String issuer,
      String audience,
      String subject,
      List<String> spaces,
      Instant issuedAt,
      Instant expiresAt) {
    JwtClaims claims = baseClaims(key, issuer, audience, subject, issuedAt, expiresAt);
    claims.setStringListClaim("spaces", List.copyOf(spaces));
    return sign(key, claims);
  }

  /**
   * Signs a token with a role per shared space: the {@code spaces} claim is the object {@code
   * {"team:1": "read", "team:2": "write"}}, and {@code groups} (the roles Quarkus reads) is added
   * when not empty, e.g. {@code converge-admin} for the admin endpoints.
   *
   * @param roles the role ({@code read} or {@code write}) of each granted shared space; other
   *     values are signed as given (the server grants nothing for them), so tests can send them
   * @param groups the {@code groups} claim, possibly empty
   * @see #mint(PrivateKey, String, String, String, List, Instant, Instant)
   */
  public static String mintWithRoles(
      PrivateKey key,
      String issuer,
      String audience,
      String subject,
      Map<String, String> roles,
      List<String> groups,
      Instant issuedAt,
      Instant expiresAt) {
    JwtClaims claims = baseClaims(key, issuer, audience, subject, issuedAt, expiresAt);
    claims.setClaim("spaces", new TreeMap<>(roles));
    if (!groups.isEmpty()) {
      claims.setStringListClaim("groups", List.copyOf(groups));
    }
    return sign(key, claims);
  }

  /** The claims every token carries, checked: issuer, audience, subject, issue and expiry. */
  private static JwtClaims baseClaims(
      PrivateKey key,
      String issuer,
      String audience,
      String subject,
      Instant issuedAt,
      Instant expiresAt) {
    Objects.requireNonNull(key, "key");
    if (Objects.requireNonNull(subject, "subject").isBlank()) {
      throw new IllegalArgumentException("subject is blank");
    }
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(Objects.requireNonNull(issuer, "issuer"));
    claims.setAudience(Objects.requireNonNull(audience, "audience"));
    claims.setSubject(subject);
    claims.setIssuedAt(NumericDate.fromMilliseconds(issuedAt.toEpochMilli()));
    claims.setExpirationTime(NumericDate.fromMilliseconds(expiresAt.toEpochMilli()));
    return claims;
  }

  private static String sign(PrivateKey key, JwtClaims claims) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(key);
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    jws.setHeader("typ", "JWT");
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
    }
  }

  /**
   * Returns an environment variable, or {@code fallback} when it is unset or blank: the way the
   * server and the tools read {@code CONVERGE_JWT_ISSUER}, {@code CONVERGE_JWT_AUDIENCE} and {@code
   * CONVERGE_DATA_DIR}.
   */
  public static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
