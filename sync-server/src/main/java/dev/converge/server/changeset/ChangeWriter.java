package dev.converge.server.changeset;

import dev.converge.core.server.DocumentRef;
import dev.converge.core.server.LogChain;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.PushDecision;
import io.smallrye.mutiny.Uni;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Writes a push's log rows and document states with one multi-row statement each (per 500 rows),
 * rather than one round trip per row: Hibernate Reactive sends entity inserts one at a time.
 */
final class ChangeWriter {

  private static final int ROWS_PER_STATEMENT = 500;

  private ChangeWriter() {}

  /**
   * Appends log rows, each with the log chain after it (docs/protocol-2.md "Log epoch"), and moves
   * each space's chain at head. Every writer of {@code change_log} goes through here, holding the
   * lock of each space's counter row, so the chain follows serverSeq order.
   */
  static Uni<Void> insertLog(
      Mutiny.Session session, List<LogEntry> rows, OffsetDateTime committedAt) {
    Map<String, List<LogEntry>> bySpace = new TreeMap<>();
    for (LogEntry row : rows) {
      bySpace.computeIfAbsent(row.space(), s -> new ArrayList<>()).add(row);
    }
    Uni<Void> work = Uni.createFrom().voidItem();
    for (Map.Entry<String, List<LogEntry>> space : bySpace.entrySet()) {
      List<LogEntry> entries = space.getValue();
      entries.sort(Comparator.comparingLong(LogEntry::serverSeq));
      work = work.chain(() -> insertSpaceLog(session, space.getKey(), entries, committedAt));
    }
    return work;
  }

  private static Uni<Void> insertSpaceLog(
      Mutiny.Session session, String space, List<LogEntry> rows, OffsetDateTime committedAt) {
    return session
        .createNativeQuery("select chain from space_seq where space = :s", String.class)
        .setParameter("s", space)
        .getSingleResult()
        .chain(
            head -> {
              List<String> chains = new ArrayList<>(rows.size());
              String chain = head;
              for (LogEntry row : rows) {
                chain = LogChain.next(chain, row);
                chains.add(chain);
              }
              Uni<Void> work = Uni.createFrom().voidItem();
              for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
                int to = Math.min(rows.size(), from + ROWS_PER_STATEMENT);
                List<LogEntry> chunk = rows.subList(from, to);
                List<String> chunkChains = chains.subList(from, to);
                work = work.chain(() -> insertLogChunk(session, chunk, chunkChains, committedAt));
              }
              String last = chain;
              return work.chain(
                  () ->
                      session
                          .createNativeQuery("update space_seq set chain = :c where space = :s")
                          .setParameter("c", last)
                          .setParameter("s", space)
                          .executeUpdate()
                          .replaceWithVoid());
            });
  }

  private static Uni<Void> insertLogChunk(
      Mutiny.Session session,
      List<LogEntry> rows,
      List<String> chains,
      OffsetDateTime committedAt) {
    StringBuilder sql =
        new StringBuilder(
            "insert into change_log (space, server_seq, collection, doc_id, replica_id, seq, to_seq, hlc, delta, committed_at, chain) values ");
    for (int i = 0; i < rows.size(); i++) {
      sql.append(i == 0 ? "" : ",")
          .append("(:sp")
          .append(i)
          .append(",:ss")
          .append(i)
          .append(",:co")
          .append(i)
          .append(",:di")
          .append(i)
          .append(",:ri")
          .append(i)
          .append(",:sq")
          .append(i)
          .append(",:ts")
          .append(i)
          .append(",:hl")
          .append(i)
          .append(",:de")
          .append(i)
          .append(",:ca")
          .append(i)
          .append(",:ch")
          .append(i)
          .append(')');
    }
    var query = session.createNativeQuery(sql.toString());
    for (int i = 0; i < rows.size(); i++) {
      LogEntry row = rows.get(i);
      query.setParameter("ch" + i, chains.get(i));
      query
          .setParameter("sp" + i, row.space())
          .setParameter("ss" + i, row.serverSeq())
          .setParameter("co" + i, row.collection())
          .setParameter("di" + i, row.docId())
          .setParameter("ri" + i, row.replicaId())
          .setParameter("sq" + i, row.seq())
          .setParameter("ts" + i, row.toSeq())
          .setParameter("hl" + i, row.hlc())
          .setParameter("de" + i, row.deltaJson())
          .setParameter("ca" + i, committedAt);
    }
    return query.executeUpdate().replaceWithVoid();
  }

  /**
   * Writes the new states of a push's documents. Each document becomes due for counter compaction
   * from its first change in the push ({@code firstChange}), unless it was due earlier already.
   */
  static Uni<Void> upsertDocs(
      Mutiny.Session session,
      List<PushDecision.StateWrite> docs,
      Map<DocumentRef, Long> firstChange,
      OffsetDateTime updatedAt) {
    Uni<Void> work = Uni.createFrom().voidItem();
    for (int from = 0; from < docs.size(); from += ROWS_PER_STATEMENT) {
      List<PushDecision.StateWrite> chunk =
          docs.subList(from, Math.min(docs.size(), from + ROWS_PER_STATEMENT));
      work = work.chain(() -> upsertDocChunk(session, chunk, firstChange, updatedAt));
    }
    return work;
  }

  private static Uni<Void> upsertDocChunk(
      Mutiny.Session session,
      List<PushDecision.StateWrite> docs,
      Map<DocumentRef, Long> firstChange,
      OffsetDateTime updatedAt) {
    StringBuilder sql =
        new StringBuilder(
            "insert into doc_state (space, collection, doc_id, state, head_seq, updated_at, compact_due) values ");
    for (int i = 0; i < docs.size(); i++) {
      sql.append(i == 0 ? "" : ",")
          .append("(:sp")
          .append(i)
          .append(",:co")
          .append(i)
          .append(",:di")
          .append(i)
          .append(",:st")
          .append(i)
          .append(",:hs")
          .append(i)
          .append(",:ua")
          .append(i)
          .append(",:cd")
          .append(i)
          .append(')');
    }
    sql.append(
        " on conflict (space, collection, doc_id) do update set state = excluded.state,"
            + " head_seq = excluded.head_seq, updated_at = excluded.updated_at,"
            + " compact_due = coalesce(doc_state.compact_due, excluded.compact_due)");
    var query = session.createNativeQuery(sql.toString());
    for (int i = 0; i < docs.size(); i++) {
      PushDecision.StateWrite doc = docs.get(i);
      query
          .setParameter("sp" + i, doc.ref().space())
          .setParameter("co" + i, doc.ref().collection())
          .setParameter("di" + i, doc.ref().docId())
          .setParameter("st" + i, doc.stateJson())
          .setParameter("hs" + i, doc.headSeq())
          .setParameter("ua" + i, updatedAt)
          .setParameter("cd" + i, firstChange.getOrDefault(doc.ref(), doc.headSeq()));
    }
    return query.executeUpdate().replaceWithVoid();
  }
}
