package dev.converge.server.document;

import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.NodeHash;
import dev.converge.server.db.PlanCacheBypass;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Reads a space's digest tree from {@code doc_state} (V8__digests.sql): inner nodes as aggregates
 * ({@code bit_xor} and {@code count} per child, from the digest index alone), leaves as their
 * documents' digests.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class DigestReader {

  private final Mutiny.SessionFactory sessions;

  DigestReader(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  private <T> Uni<T> read(Function<Mutiny.Session, Uni<T>> work) {
    return sessions.openSession().chain(session -> work.apply(session).eventually(session::close));
  }

  /** Returns the hashes of the {@link DigestTree#FANOUT} children of the inner node at path. */
  public Uni<List<NodeHash>> children(String space, String path) {
    int shift = DigestTree.childShift(path);
    return read(
        session ->
            session
                .createNativeQuery(
                    "select (leaf >> "
                        + shift
                        + ") & 15, bit_xor(h1), bit_xor(h2), count(*) from doc_state"
                        + " where space in (:s) and leaf between :lo and :hi group by 1",
                    Object[].class)
                .setParameter("s", PlanCacheBypass.key(space))
                .setParameter("lo", (short) DigestTree.firstLeaf(path))
                .setParameter("hi", (short) DigestTree.lastLeaf(path))
                .getResultList()
                .map(
                    rows -> {
                      NodeHash[] children = new NodeHash[DigestTree.FANOUT];
                      Arrays.fill(children, NodeHash.EMPTY);
                      for (Object[] r : rows) {
                        int child = ((Number) r[0]).intValue();
                        children[child] =
                            new NodeHash(
                                ((Number) r[1]).longValue(),
                                ((Number) r[2]).longValue(),
                                ((Number) r[3]).longValue());
                      }
                      return List.of(children);
                    }));
  }

  /**
   * Returns the digests of the documents in {@code leaf}, by {@link DocKey}, at most {@code limit}
   * of them, in (collection, docId) order.
   */
  public Uni<Map<DocKey, DocDigest>> leaf(String space, int leaf, int limit) {
    return read(
        session ->
            session
                .createNativeQuery(
                    "select collection, doc_id, h1, h2 from doc_state where space in (:s) and leaf = :l"
                        + " order by collection, doc_id limit :n",
                    Object[].class)
                .setParameter("s", PlanCacheBypass.key(space))
                .setParameter("l", (short) leaf)
                .setParameter("n", limit)
                .getResultList()
                .map(
                    rows -> {
                      Map<DocKey, DocDigest> docs = new LinkedHashMap<>();
                      for (Object[] r : rows) {
                        docs.put(
                            new DocKey(space, (String) r[0], (String) r[1]),
                            new DocDigest(
                                ((Number) r[2]).longValue(), ((Number) r[3]).longValue()));
                      }
                      return docs;
                    }));
  }
}
