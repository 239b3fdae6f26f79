package dev.converge.sdk;

/**
 * Supplies the bearer token (a JWT) the client presents to the server. Called on the SDK's sync
 * thread before every connection and before the current token expires, so it may block briefly (for
 * example to refresh an OAuth token); it should return a token valid for at least a minute.
 */
@FunctionalInterface
public interface TokenSupplier {

  /**
   * Returns a current token.
   *
   * @throws Exception if no token can be had now; the client reports {@link
   *     SyncException.Code#AUTH_FAILED} in its status and retries later with backoff
   */
  String token() throws Exception;
}
