package dev.converge.server.error;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The one shape of every REST failure: a stable machine-readable {@code code} and a human {@code
 * message}.
 *
 * @param code stable, lower_snake_case, e.g. {@code unauthenticated}
 * @param message for people; never reveals another space's data or existence
 * @param retryAfterMs when to try again, in milliseconds (rate limits); omitted when null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String code, String message, Long retryAfterMs) {

  /** Creates a body without a retry hint. */
  public ErrorBody(String code, String message) {
    this(code, message, null);
  }
}
