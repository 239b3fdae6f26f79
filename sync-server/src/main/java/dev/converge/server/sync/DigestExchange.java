package dev.converge.server.sync;

import dev.converge.core.digest.DigestLeaf;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.document.DigestReader;
import dev.converge.server.document.DocKey;
import dev.converge.server.document.DocumentVerifier;
import dev.converge.server.error.SyncError;
import dev.converge.server.metrics.AntiEntropyMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers {@code digest} (anti-entropy, docs/protocol-2.md "Digests"): at an inner node the
 * server's hashes of its 16 children, from aggregates over {@code doc_state}; at a leaf the
 * documents whose digest differs from the device's ({@link DigestLeaf}, the core's rule), after the
 * {@link DocumentVerifier} has checked the server's own state of each of them. The message's shape
 * was checked when it was decoded; the space is checked here against the session's grants. The
 * documents reported go to the session's {@link RepairLedger}, and count as repaired once a later
 * exchange of the session finds them equal.
 *
 * <p>Thread-safe (stateless).
 */
@ApplicationScoped
class DigestExchange {

  private final ProtocolCodec codec;
  private final DigestReader reader;
  private final DocumentVerifier verifier;
  private final AntiEntropyMetrics metrics;

  DigestExchange(
      ProtocolCodec codec,
      DigestReader reader,
      DocumentVerifier verifier,
      AntiEntropyMetrics metrics) {
    this.codec = codec;
    this.reader = reader;
    this.verifier = verifier;
    this.metrics = metrics;
  }

  /**
   * Returns the {@code digests} frame answering {@code digest}, or fails with a {@link SyncError}
   * ({@code forbidden_space}, without ref as for every refused space).
   */
  Uni<String> answer(SyncSession session, Message.Digest digest) {
    if (!session.grants().allows(digest.space())) {
      return Uni.createFrom()
          .failure(
              new SyncError(
                  ErrorCode.FORBIDDEN_SPACE,
                  "space '" + digest.space() + "' is not granted by this token; digest refused"));
    }
    metrics.exchanged();
    if (!DigestTree.isLeaf(digest.path())) {
      return reader
          .children(digest.space(), digest.path())
          .map(
              children -> {
                List<String> hashes = SpaceDigest.wire(children);
                confirmEqualChildren(session, digest, hashes);
                return codec.encode(
                    new Message.Digests(
                        digest.ref(), digest.space(), digest.path(), hashes, List.of(), false));
              });
    }
    return leaf(digest).invoke(answer -> ledger(session, answer)).map(codec::encode);
  }

  /**
   * The children of an inner node that the device found equal resolve every repair reported under
   * them: each is counted as repaired now.
   */
  private void confirmEqualChildren(
      SyncSession session, Message.Digest digest, List<String> hashes) {
    if (session.repairs().size() == 0 || digest.hashes().size() != DigestTree.FANOUT) {
      return;
    }
    List<String> equal = new ArrayList<>();
    List<String> differing = DigestTree.differing(digest.path(), digest.hashes(), hashes);
    for (int child = 0; child < DigestTree.FANOUT; child++) {
      String path = DigestTree.child(digest.path(), child);
      if (!differing.contains(path)) {
        equal.add(path);
      }
    }
    session.repairs().equalNodes(digest.space(), equal).forEach(d -> metrics.repaired(d, 1));
  }

  /**
   * A leaf answer resolves the reports of its documents found equal now (when the leaf was compared
   * whole) and records the documents it reports as differing.
   */
  private void ledger(SyncSession session, Message.Digests answer) {
    RepairLedger repairs = session.repairs();
    List<DocKey> differing = new ArrayList<>();
    for (MessageParts.DigestDoc doc : answer.docs()) {
      differing.add(new DocKey(answer.space(), doc.collection(), doc.docId()));
    }
    if (!answer.more()) {
      repairs
          .equalInLeaf(answer.space(), answer.path(), differing)
          .forEach(d -> metrics.repaired(d, 1));
    }
    for (MessageParts.DigestDoc doc : answer.docs()) {
      repairs.reported(
          new DocKey(answer.space(), doc.collection(), doc.docId()),
          doc.hash() == null
              ? AntiEntropyMetrics.Direction.TO_SERVER
              : AntiEntropyMetrics.Direction.TO_DEVICE);
    }
  }

  private Uni<Message.Digests> leaf(Message.Digest digest) {
    String space = digest.space();
    int leaf = DigestTree.index(digest.path());
    return reader
        .leaf(space, leaf, DigestTree.MAX_LEAF_DOCS + 1)
        .chain(
            stored -> {
              List<DocKey> differing = differing(digest, stored);
              if (differing.isEmpty()) {
                return Uni.createFrom().item(answer(digest, stored, differing));
              }
              // The server's own state is checked before it is served as the truth.
              return verifier
                  .verify(space, differing)
                  .chain(
                      rebuilt -> {
                        count(differing, rebuilt);
                        if (rebuilt.isEmpty()) {
                          return Uni.createFrom().item(answer(digest, stored, differing));
                        }
                        return reader
                            .leaf(space, leaf, DigestTree.MAX_LEAF_DOCS + 1)
                            .map(again -> answer(digest, again, differing(digest, again)));
                      });
            });
  }

  private void count(List<DocKey> differing, Set<DocKey> rebuilt) {
    int wrongHere = (int) differing.stream().filter(rebuilt::contains).count();
    // The verifier counts the documents it rebuilt (SERVER_STATE) itself, as for the scrub.
    metrics.divergent(AntiEntropyMetrics.Cause.DEVICE_STATE, differing.size() - wrongHere);
  }

  /** The documents of the leaf whose digests differ ({@link DigestLeaf#differing}). */
  private static List<DocKey> differing(Message.Digest digest, Map<DocKey, DocDigest> stored) {
    List<DocKey> differing = new ArrayList<>();
    for (MessageParts.DocName name : DigestLeaf.differing(digest, names(stored))) {
      differing.add(new DocKey(digest.space(), name.collection(), name.docId()));
    }
    return differing;
  }

  /** The stored digests by document name, in the leaf's order. */
  private static Map<MessageParts.DocName, DocDigest> names(Map<DocKey, DocDigest> stored) {
    Map<MessageParts.DocName, DocDigest> names = new LinkedHashMap<>();
    stored.forEach(
        (key, digest) -> names.put(new MessageParts.DocName(key.collection, key.docId), digest));
    return names;
  }

  private Message.Digests answer(
      Message.Digest digest, Map<DocKey, DocDigest> stored, List<DocKey> differing) {
    List<MessageParts.DocName> names = new ArrayList<>();
    differing.forEach(key -> names.add(new MessageParts.DocName(key.collection, key.docId)));
    // Repairs are counted by the session's RepairLedger once confirmed, not here.
    return DigestLeaf.answer(digest, names(stored), names);
  }
}
