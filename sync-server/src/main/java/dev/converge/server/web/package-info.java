/**
 * The REST endpoints ({@code openapi/sync-api.yaml}): push, pull, document reads, snapshots and
 * {@code /v1/me}. Thin: they check access, parse parameters and bodies (decode failures map to
 * codes as on the WebSocket), and call the services below.
 *
 * <p>An endpoint layer: depends on the services below it, nothing depends on it.
 */
package dev.converge.server.web;
