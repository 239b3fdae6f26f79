package dev.converge.server.sync;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.error.SyncError;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Answers a refused client message with its coded {@code error} and counts it ({@code
 * converge_errors_total{code}}): the one place the message handlers refuse through.
 *
 * <p>Thread-safe (stateless).
 */
@ApplicationScoped
class SessionErrors {

  private final ProtocolCodec codec;
  private final SyncMetrics metrics;

  SessionErrors(ProtocolCodec codec, SyncMetrics metrics) {
    this.codec = codec;
    this.metrics = metrics;
  }

  /** Counts {@code error} and sends it to {@code session}. */
  void fail(SyncSession session, SyncError error) {
    metrics.error(error.code());
    session.send(
        codec.encode(
            new Message.Error(
                error.code(),
                ErrorText.bounded(error.getMessage()),
                error.ref(),
                error.retryAfterMs())));
  }
}
