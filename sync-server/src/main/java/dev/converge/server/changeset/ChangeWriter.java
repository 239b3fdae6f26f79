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

  /** Rows of one multi-row statement, at most. */
  static final int ROWS_PER_STATEMENT = 500;

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
      List<String> chains = chainsAfter(chainAtHead.get(space.getKey()), entries);
      heads.put(space.getKey(), chains.get(chains.size() - 1));
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
    StringBuilder sql = new StringBuilder();
    appendLogInsert(sql, rows.size());
    Mutiny.Query<?> query = session.createNativeQuery(sql.toString());
    bindLog(query, rows, chains, committedAt);
    return query.executeUpdate().replaceWithVoid();
  }

  /** Appends an insert of {@code n} log rows, parameters {@code sp0..ch<n-1>} (see bindLog). */
  static void appendLogInsert(StringBuilder sql, int n) {
    sql.append(
        "insert into change_log (space, server_seq, collection, doc_id, replica_id, seq, to_seq, hlc, delta, committed_at, chain) values ");
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ",");
      tuple(sql, i, "sp", "ss", "co", "di", "ri", "sq", "ts", "hl", "de", "ca", "ch");
    }
  }

  /** Binds the parameters of {@link #appendLogInsert} for {@code rows} and their chains. */
  static void bindLog(
      Mutiny.Query<?> query, List<LogEntry> rows, List<String> chains, OffsetDateTime at) {
    for (int i = 0; i < rows.size(); i++) {
      LogEntry row = rows.get(i);
      query
          .setParameter("ch" + i, chains.get(i))
          .setParameter("sp" + i, row.space())
          .setParameter("ss" + i, row.serverSeq())
          .setParameter("co" + i, row.collection())
          .setParameter("di" + i, row.docId())
          .setParameter("ri" + i, row.replicaId())
          .setParameter("sq" + i, row.seq())
          .setParameter("ts" + i, row.toSeq())
          .setParameter("hl" + i, row.hlc())
          .setParameter("de" + i, row.deltaJson())
          .setParameter("ca" + i, at);
    }
  }

  /** Appends {@code (:a<i>,:b<i>,...)} for the parameter names given. */
  private static void tuple(StringBuilder sql, int i, String... names) {
    for (int k = 0; k < names.length; k++) {
      sql.append(k == 0 ? "(:" : ",:").append(names[k]).append(i);
    }
    sql.append(')');
  }

  /**
   * Returns the log chain after each of {@code rows} (one space, in serverSeq order), starting from
   * the chain at head.
   */
  static List<String> chainsAfter(String chainAtHead, List<LogEntry> rows) {
    List<String> chains = new ArrayList<>(rows.size());
    String chain = chainAtHead;
    for (LogEntry row : rows) {
      chain = LogChain.next(chain, row);
      chains.add(chain);
    }
    return chains;
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
    StringBuilder sql = new StringBuilder();
    appendStateUpsert(sql, docs.size());
    Mutiny.Query<?> query = session.createNativeQuery(sql.toString());
    bindStates(query, docs, firstChange, updatedAt);
    return query.executeUpdate().replaceWithVoid();
  }

  /** Appends an upsert of {@code n} document states (see bindStates). */
  static void appendStateUpsert(StringBuilder sql, int n) {
    sql.append(
        "insert into doc_state (space, collection, doc_id, state, head_seq, updated_at, compact_due) values ");
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ",");
      tuple(sql, i, "dsp", "dco", "ddi", "dst", "dhs", "dua", "dcd");
    }
    sql.append(
        " on conflict (space, collection, doc_id) do update set state = excluded.state,"
            + " head_seq = excluded.head_seq, updated_at = excluded.updated_at,"
            + " compact_due = coalesce(doc_state.compact_due, excluded.compact_due)");
  }

  /**
   * Binds the parameters of {@link #appendStateUpsert}: each document becomes due for counter
   * compaction from its first change ({@code firstChange}), unless it was due earlier already.
   */
  static void bindStates(
      Mutiny.Query<?> query,
      List<PushDecision.StateWrite> docs,
      Map<DocumentRef, Long> firstChange,
      OffsetDateTime at) {
    for (int i = 0; i < docs.size(); i++) {
      PushDecision.StateWrite doc = docs.get(i);
      query
          .setParameter("dsp" + i, doc.ref().space())
          .setParameter("dco" + i, doc.ref().collection())
          .setParameter("ddi" + i, doc.ref().docId())
          .setParameter("dst" + i, doc.stateJson())
          .setParameter("dhs" + i, doc.headSeq())
          .setParameter("dua" + i, at)
          .setParameter("dcd" + i, firstChange.getOrDefault(doc.ref(), doc.headSeq()));
    }
  }
}
