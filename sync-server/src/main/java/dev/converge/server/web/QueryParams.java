package dev.converge.server.web;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.server.error.SyncError;

/**
 * Reads numeric query parameters as text, so that a value that is not a number is a 400 {@code
 * invalid} naming the parameter: JAX-RS would answer a failed conversion with 404.
 */
final class QueryParams {
  private QueryParams() {}

  /**
   * Parses {@code value} of the parameter {@code name}.
   *
   * @throws SyncError {@code invalid} if it is not an integer within {@code min..max}
   */
  static long integer(String name, String value, long min, long max) {
    long parsed;
    try {
      parsed = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new SyncError(
          ErrorCode.INVALID,
          name
              + " must be an integer within "
              + min
              + ".."
              + max
              + ", got '"
              + shorten(value)
              + "'");
    }
    if (parsed < min || parsed > max) {
      throw new SyncError(
          ErrorCode.INVALID, name + " must be within " + min + ".." + max + ", got " + parsed);
    }
    return parsed;
  }

  /** Echoes at most a short prefix of what the client sent. */
  private static String shorten(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }
}
