package dev.converge.sample;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Turns what a user gives as {@code --server} into the sync WebSocket URI: the WebSocket itself
 * ({@code ws://}, {@code wss://}) or the server's HTTP address as the README and the server's log
 * show it ({@code http://localhost:8080} becomes {@code ws://localhost:8080/v1/sync}, {@code https}
 * becomes {@code wss}). Anything else is refused at once with a message saying what is accepted,
 * rather than being tried for seconds as an unreachable server.
 */
final class ServerAddress {

  /** The sync endpoint's path on a server. */
  static final String SYNC_PATH = "/v1/sync";

  private ServerAddress() {}

  /**
   * Returns the sync WebSocket URI for {@code given}.
   *
   * @throws IllegalArgumentException with a one-line message for the user if {@code given} is not a
   *     ws, wss, http or https URL with a host
   */
  static URI syncUri(String given) {
    URI uri;
    try {
      uri = new URI(given.trim());
    } catch (URISyntaxException e) {
      throw refused(given, "is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String socketScheme =
        switch (scheme) {
          case "ws", "http" -> "ws";
          case "wss", "https" -> "wss";
          default -> null;
        };
    if (socketScheme == null) {
      throw refused(given, scheme.isEmpty() ? "has no scheme" : "has the scheme " + scheme);
    }
    if (uri.getHost() == null) {
      throw refused(given, "has no host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw refused(given, "has a query or fragment");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.isEmpty() || path.equals("/")) {
      path = SYNC_PATH;
    } else if (!scheme.startsWith("ws") && !path.endsWith(SYNC_PATH)) {
      // an http(s) URL names the server, possibly under a prefix: the socket is below it
      path = path.replaceAll("/+$", "") + SYNC_PATH;
    }
    try {
      return new URI(socketScheme, uri.getRawAuthority(), path, null, null);
    } catch (URISyntaxException e) {
      throw refused(given, "is not a URL");
    }
  }

  private static IllegalArgumentException refused(String given, String why) {
    return new IllegalArgumentException(
        "--server '"
            + given
            + "' "
            + why
            + ": give the server's URL, such as http://localhost:8080 or https://sync.example.com,"
            + " or its sync WebSocket, such as ws://localhost:8080/v1/sync");
  }
}
