package dev.converge.server.changeset;

import dev.converge.core.server.DocumentRef;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.PushDecision;
import io.smallrye.mutiny.Uni;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * A batch's writes in one statement: its log rows, its documents' states, its replicas' progress
 * and the space's head (with the commit's notification), as data-modifying common table expressions
 * of one {@code with ... select}. A batch then costs one round trip to write instead of four; each
 * part writes another table, so that none needs to see another's rows. A batch too large for one
 * statement's parameters goes the statement-per-table way ({@link #fits}).
 */
final class BatchWrite {

  private BatchWrite() {}

  /**
   * What the batch writes.
   *
   * @param space the space, whose counter row the transaction holds
   * @param entries its new log rows
   * @param chainAtHead the log chain at head as read from the locked counter row
   * @param states the documents' new states
   * @param firstChange each document's first change in the batch (when it becomes due for counter
   *     compaction)
   * @param progress the replicas whose last acked seq moved, and to which seq
   * @param head the space's new head
   * @param storedBytes the space's stored bytes after the batch
   */
  record Writes(
      String space,
      List<LogEntry> entries,
      String chainAtHead,
      List<PushDecision.StateWrite> states,
      Map<DocumentRef, Long> firstChange,
      List<Map.Entry<String, Long>> progress,
      long head,
      long storedBytes) {}

  /** Whether {@code writes} fit one statement's parameters (at most 500 rows a table). */
  static boolean fits(Writes writes) {
    return !writes.entries().isEmpty()
        && writes.entries().size() <= ChangeWriter.ROWS_PER_STATEMENT
        && writes.states().size() <= ChangeWriter.ROWS_PER_STATEMENT
        && writes.progress().size() <= ChangeWriter.ROWS_PER_STATEMENT;
  }

  /**
   * Writes everything in one statement; the notification is delivered at commit (only if it
   * commits: other nodes wake after the data is visible).
   *
   * @return the log chain at the new head
   */
  static Uni<String> write(Mutiny.Session session, Writes writes, OffsetDateTime now) {
    List<LogEntry> entries = new ArrayList<>(writes.entries());
    entries.sort(Comparator.comparingLong(LogEntry::serverSeq));
    List<String> chains = ChangeWriter.chainsAfter(writes.chainAtHead(), entries);
    String chain = chains.get(chains.size() - 1);

    StringBuilder sql = new StringBuilder("with log as (");
    ChangeWriter.appendLogInsert(sql, entries.size());
    sql.append(')');
    if (!writes.states().isEmpty()) {
      sql.append(", states as (");
      ChangeWriter.appendStateUpsert(sql, writes.states().size());
      sql.append(')');
    }
    if (!writes.progress().isEmpty()) {
      sql.append(", progress as (");
      appendProgressUpdate(sql, writes.progress().size());
      sql.append(')');
    }
    sql.append(
        ", moved as (update space_seq set head = :h, stored_bytes = :b, chain = :c"
            + " where space = :s returning space)"
            + " select count(pg_notify(:channel, space)) from moved");

    // Run as an update: its count is not read, and a native select would add a query plan to
    // Hibernate Reactive's cache at every run (PlanCacheBypass).
    Mutiny.Query<?> query = session.createNativeQuery(sql.toString());
    ChangeWriter.bindLog(query, entries, chains, now);
    ChangeWriter.bindStates(query, writes.states(), writes.firstChange(), now);
    bindProgress(query, writes.progress());
    query
        .setParameter("h", writes.head())
        .setParameter("b", writes.storedBytes())
        .setParameter("c", chain)
        .setParameter("s", writes.space())
        .setParameter("channel", PushService.CHANNEL);
    return query.executeUpdate().replaceWith(chain);
  }

  /** Appends an update of {@code n} replicas' last acked seq (see bindProgress). */
  static void appendProgressUpdate(StringBuilder sql, int n) {
    sql.append("update replica_progress p set last_seq = v.last from (values ");
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ",")
          .append("(cast(:pr")
          .append(i)
          .append(" as text), cast(:pl")
          .append(i)
          .append(" as bigint))");
    }
    sql.append(") as v(id, last) where p.replica_id = v.id");
  }

  /** Binds the parameters of {@link #appendProgressUpdate}: each replica and its new seq. */
  static void bindProgress(Mutiny.Query<?> query, List<Map.Entry<String, Long>> progress) {
    for (int i = 0; i < progress.size(); i++) {
      query
          .setParameter("pr" + i, progress.get(i).getKey())
          .setParameter("pl" + i, progress.get(i).getValue());
    }
  }
}
