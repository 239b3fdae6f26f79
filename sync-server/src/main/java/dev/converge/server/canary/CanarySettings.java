package dev.converge.server.canary;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The canary ({@code converge.canary.*}, docs/operations.md "Canary"): a job that writes through
 * one SDK replica and measures the time until a second one sees the write. Off unless enabled.
 */
@ConfigMapping(prefix = "converge.canary")
public interface CanarySettings {

  /** Whether the canary runs. */
  @WithDefault("false")
  boolean enabled();

  /** Time between the starts of two rounds. */
  @WithDefault("PT30S")
  Duration interval();

  /** How long the second replica has to see a write before the round counts as failed. */
  @WithDefault("PT20S")
  Duration timeout();

  /**
   * PEM (PKCS#8) private key the canary signs its tokens with; the server must trust its public key
   * (in the JWKS or key it verifies tokens with). Empty: the development key pair of the data
   * directory, which only a development server trusts.
   */
  Optional<String> signingKeyLocation();

  /**
   * A file holding a token for the canary's subject, issued by the deployment's identity provider
   * (a dedicated credential, e.g. a mounted Secret); read again before every round, so a rotated
   * token is picked up. Takes precedence over {@link #signingKeyLocation()}.
   */
  Optional<String> tokenLocation();

  /**
   * The WebSocket URI of the server the writing replica connects to; empty: this node on loopback.
   */
  Optional<String> serverUri();

  /**
   * The WebSocket URI the reading replica connects to; empty: the writer's. Pointed at another node
   * (or at a Service that routes to any node), a round crosses nodes: push and commit on one,
   * PostgreSQL notification and fan-out on the other.
   */
  Optional<String> readerServerUri();
}
