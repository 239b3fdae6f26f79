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
   *
   * @param chainAtHead the chain at head of each space of {@code rows}, as read from its locked
   *     counter row by the caller (null for a space whose log predates chains)
   */
  static Uni<Void> insertLog(
      Mutiny.Session session,
      List<LogEntry> rows,
      OffsetDateTime committedAt,
      Map<String, String> chainAtHead) {
    return appendLog(session, rows, committedAt, chainAtHead)
        .chain(
            heads -> {
              Uni<Void> work = Uni.createFrom().voidItem();
              for (Map.Entry<String, String> head : heads.entrySet()) {
                work =
                    work.chain(
                        () ->
                            session
                                .createNativeQuery(
                                    "update space_seq set chain = :c where space = :s")
                                .setParameter("c", head.getValue())
                                .setParameter("s", head.getKey())
                                .executeUpdate()
                                .replaceWithVoid());
              }
              return work;
            });
  }

  /**
   * Appends log rows as {@link #insertLog} does but leaves each space's counter row to the caller,
   * who must set its chain to the one returned for it (in the statement that moves its head).
   *
   * @return the chain after the last appended row, per space
   */
  static Uni<Map<String, String>> appendLog(
      Mutiny.Session session,
      List<LogEntry> rows,
      OffsetDateTime committedAt,
      Map<String, String> chainAtHead) {
    Map<String, List<LogEntry>> bySpace = new TreeMap<>();
    for (LogEntry row : rows) {
      bySpace.computeIfAbsent(row.space(), s -> new ArrayList<>()).add(row);
    }
    Map<String, String> heads = new TreeMap<>();
    Uni<Void> work = Uni.createFrom().voidItem();
    for (Map.Entry<String, List<LogEntry>> space : bySpace.entrySet()) {
      if (!chainAtHead.containsKey(space.getKey())) {
        // A caller that did not read the locked row cannot know the chain: a bug, not input.
        throw new IllegalStateException("no chain at head given for space " + space.getKey());
      }
      List<LogEntry> entries = space.getValue();
      entries.sort(Comparator.comparingLong(LogEntry::serverSeq));
      List<String> chains = new ArrayList<>(entries.size());
      String chain = chainAtHead.get(space.getKey());
      for (LogEntry row : entries) {
        chain = LogChain.next(chain, row);
        chains.add(chain);
      }
      heads.put(space.getKey(), chain);
      for (int from = 0; from < entries.size(); from += ROWS_PER_STATEMENT) {
        int to = Math.min(entries.size(), from + ROWS_PER_STATEMENT);
        List<LogEntry> chunk = entries.subList(from, to);
        List<String> chunkChains = chains.subList(from, to);
        work = work.chain(() -> insertLogChunk(session, chunk, chunkChains, committedAt));
      }
    }
    return work.replaceWith(heads);
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
