package dev.converge.server.error;

/**
 * The one shape of every REST failure: a stable machine-readable {@code code} and a human {@code
 * message}.
 *
 * @param code stable, lower_snake_case, e.g. {@code unauthenticated}
 * @param message for people; never reveals another space's data or existence
 */
public record ErrorBody(String code, String message) {}
