/**
 * The one error shape of the server: {@code {code, message}} on REST ({@link
 * dev.converge.server.error.ErrorMapper}), {@code error{code, message, ref}} on the WebSocket, both
 * from a {@link dev.converge.server.error.SyncError} with an {@link
 * dev.converge.core.protocol.ErrorCode}; decode failures map to codes in one place.
 */
package dev.converge.server.error;
