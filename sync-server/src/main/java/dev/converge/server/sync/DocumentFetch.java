package dev.converge.server.sync;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.Payload;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.document.FetchReader;
import dev.converge.server.document.SnapshotBudget;
import dev.converge.server.error.SyncError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * Answers {@code fetch} (the document re-read, docs/protocol-2.md): the named documents' current
 * states in one {@code docs} frame, for a space the session is granted, within the bounds of a
 * snapshot page. The head is read before the states, so every state is at that head or later.
 *
 * <p>Thread-safe (stateless).
 */
@ApplicationScoped
class DocumentFetch {

  private final ProtocolCodec codec;
  private final ChangeLogReader log;
  private final FetchReader reader;
  private final SyncSettings settings;
  private final String emptyState;

  DocumentFetch(
      ProtocolCodec codec, ChangeLogReader log, FetchReader reader, SyncSettings settings) {
    this.codec = codec;
    this.log = log;
    this.reader = reader;
    this.settings = settings;
    this.emptyState = codec.encodeDocument(new Document());
  }

  /**
   * Returns the {@code docs} frame answering {@code fetch}, or fails with a {@link SyncError}:
   * {@code forbidden_space} (no ref: a ref there would name a changeset) or {@code fetch_too_large}
   * (the fetch's ref).
   */
  Uni<String> answer(SyncSession session, Message.Fetch fetch) {
    if (!session.grants().allows(fetch.space())) {
      return Uni.createFrom()
          .failure(
              new SyncError(
                  ErrorCode.FORBIDDEN_SPACE,
                  "space '" + fetch.space() + "' is not granted by this token; fetch refused"));
    }
    if (fetch.docs().size() > settings.fetchMaxDocs()) {
      return Uni.createFrom()
          .failure(
              tooLarge(
                  fetch,
                  "fetch names "
                      + fetch.docs().size()
                      + " documents, more than the "
                      + settings.fetchMaxDocs()
                      + " one fetch may name"));
    }
    List<FetchReader.Name> names =
        fetch.docs().stream().map(d -> new FetchReader.Name(d.collection(), d.docId())).toList();
    long budget = budget(fetch.space());
    return log.head(fetch.space())
        .chain(
            head ->
                reader
                    .sizes(fetch.space(), names)
                    .chain(
                        sizes -> {
                          checkBudget(fetch, names, budget, name -> sizes.get(name));
                          return reader.states(fetch.space(), names);
                        })
                    .map(states -> frame(fetch, names, head.head(), budget, states)));
  }

  private String frame(
      Message.Fetch fetch,
      List<FetchReader.Name> names,
      long head,
      long budget,
      Map<FetchReader.Name, String> states) {
    // A document may have grown between reading sizes and states: the bound holds on what is sent.
    checkBudget(
        fetch,
        names,
        budget,
        name -> states.containsKey(name) ? SnapshotBudget.utf8Length(states.get(name)) : null);
    String frame =
        codec.encode(
            new Message.Docs(
                fetch.ref(),
                fetch.space(),
                head,
                names.stream()
                    .map(
                        n ->
                            new MessageParts.SnapshotDoc(
                                n.collection(),
                                n.docId(),
                                Payload.text(states.getOrDefault(n, emptyState))))
                    .toList()));
    if (SnapshotBudget.utf8Length(frame) > settings.maxFrameBytes()) {
      throw tooLarge(
          fetch,
          "the documents exceed the frame limit of "
              + settings.maxFrameBytes()
              + " bytes; read them over REST");
    }
    return frame;
  }

  /** Entries within the page budget; a lone document may exceed it (up to the frame limit). */
  private void checkBudget(
      Message.Fetch fetch,
      List<FetchReader.Name> names,
      long budget,
      java.util.function.Function<FetchReader.Name, Long> stateBytes) {
    List<Long> entries =
        names.stream()
            .map(
                n -> {
                  Long bytes = stateBytes.apply(n);
                  return SnapshotBudget.entryBytes(
                      n.collection(), n.docId(), bytes == null ? emptyState.length() : bytes);
                })
            .toList();
    if (SnapshotBudget.fit(entries, budget) < names.size()) {
      throw tooLarge(
          fetch,
          "the "
              + names.size()
              + " documents exceed the "
              + budget
              + " bytes one fetch may return; fetch fewer");
    }
  }

  /** The page budget of a snapshot frame of {@code space} (its header kept below the limit). */
  private long budget(String space) {
    long header = 128 + 6L * space.length();
    return Math.max(1, Math.min(settings.snapshotPageBytes(), settings.maxFrameBytes() - header));
  }

  private static SyncError tooLarge(Message.Fetch fetch, String why) {
    return new SyncError(ErrorCode.FETCH_TOO_LARGE, why, fetch.ref());
  }
}
