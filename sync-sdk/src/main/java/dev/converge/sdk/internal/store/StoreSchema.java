package dev.converge.sdk.internal.store;

import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.storage.SqlDatabase;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of a store file and their migrations ({@code PRAGMA user_version} counts the applied
 * ones). Stateless.
 */
final class StoreSchema {

  private static final Logger LOG = LoggerFactory.getLogger(StoreSchema.class);

  /** Schema migrations; index i brings the schema from version i to i + 1. Append only. */
  private static final List<String[]> MIGRATIONS =
      List.<String[]>of(
          new String[] {
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
            "CREATE TABLE documents (space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
                + " state TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (space, collection, doc_id))"
                + " WITHOUT ROWID",
            "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, space TEXT NOT NULL, collection TEXT NOT NULL,"
                + " doc_id TEXT NOT NULL, hlc TEXT NOT NULL, delta TEXT NOT NULL, created_at INTEGER NOT NULL)",
            "CREATE INDEX outbox_by_space ON outbox (space)",
            "CREATE TABLE rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, replica_id TEXT NOT NULL,"
                + " seq INTEGER NOT NULL, space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
                + " delta TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL)",
            "CREATE TABLE spaces (space TEXT PRIMARY KEY, cursor INTEGER NOT NULL DEFAULT 0,"
                + " snapshot_active INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID"
          },
          // 2: stable points (StablePoints). Each outbox row remembers its space's cursor when it
          // was written. A row written before this migration gets 0: the cursor it was made at is
          // unknown, and 0 is the one value true of every row (it claims the row's context holds
          // no change of the log). The space's stable point then stays 0 until those rows are
          // acked, which holds compaction back for a moment and never lets it pass a remove.
          new String[] {
            "ALTER TABLE outbox ADD COLUMN cursor_at_write INTEGER NOT NULL DEFAULT 0",
            "DROP INDEX outbox_by_space",
            "CREATE INDEX outbox_by_space ON outbox (space, cursor_at_write)",
            "CREATE TABLE stable_reports (space TEXT PRIMARY KEY, stable INTEGER NOT NULL) WITHOUT ROWID"
          },
          // 3: encode once. Each outbox row keeps its push-ready changeset text; the rows already
          // there get theirs from their own columns (resplice, below), their delta text spliced as
          // it is, so a row pushed before the upgrade is pushed again with the same delta bytes.
          new String[] {"ALTER TABLE outbox ADD COLUMN changeset TEXT NOT NULL DEFAULT ''"},
          // 4: the documents to re-read after a refusal (RereadTable). Files quarantined before
          // it have none recorded: their refusals predate the re-read.
          new String[] {
            "CREATE TABLE rereads (space TEXT NOT NULL, collection TEXT NOT NULL,"
                + " doc_id TEXT NOT NULL, PRIMARY KEY (space, collection, doc_id)) WITHOUT ROWID"
          },
          // 5: collection queries (FieldIndex, CollectionQueries). The documents already there are
          // indexed in the migration's transaction (indexAll, below).
          new String[] {
            "CREATE TABLE doc_fields (space TEXT NOT NULL, collection TEXT NOT NULL,"
                + " doc_id TEXT NOT NULL, field TEXT NOT NULL, text_value TEXT, num_value INTEGER,"
                + " PRIMARY KEY (space, collection, doc_id, field)) WITHOUT ROWID",
            "CREATE INDEX doc_fields_by_text ON doc_fields (space, collection, field, text_value)",
            "CREATE INDEX doc_fields_by_num ON doc_fields (space, collection, field, num_value)"
          },
          // 6: the log epoch (docs/protocol-2.md): the server's log chain at each cursor, named in
          // hello; and the repair of a server restored from a backup (RestoreRepair).
          new String[] {
            "ALTER TABLE spaces ADD COLUMN epoch TEXT",
            "ALTER TABLE spaces ADD COLUMN repair INTEGER NOT NULL DEFAULT 0",
            "CREATE TABLE repair_docs (space TEXT NOT NULL, collection TEXT NOT NULL,"
                + " doc_id TEXT NOT NULL, PRIMARY KEY (space, collection, doc_id)) WITHOUT ROWID"
          },
          // 7: document digests for anti-entropy (docs/protocol-2.md, "Digests"): each state's
          // 128-bit digest (hex, NULL for the empty state) and its leaf in the digest tree. The
          // rows already there get theirs computed from their states (backfillDigests, below).
          new String[] {
            "ALTER TABLE documents ADD COLUMN digest TEXT",
            "ALTER TABLE documents ADD COLUMN leaf INTEGER",
            "CREATE INDEX documents_by_leaf ON documents (space, leaf)"
          },
          // 8: lazy folding (PendingStates): a local write appends its outbox row and leaves the
          // document's stored state as it was; folded = 0 marks the rows whose deltas the stored
          // state does not hold yet. Rows written before were folded at their write. A partial
          // index finds the few unfolded rows of an outbox that may hold many thousands.
          new String[] {
            "ALTER TABLE outbox ADD COLUMN folded INTEGER NOT NULL DEFAULT 1",
            "CREATE INDEX outbox_unfolded ON outbox (seq) WHERE folded = 0"
          });

  /** The version whose migration adds the field index of collection queries. */
  private static final int FIELD_INDEX = 5;

  /** The version whose migration adds the digests of the documents. */
  private static final int DIGESTS = 7;

  /** The version whose migration adds the push-ready changeset text to the outbox. */
  private static final int PUSH_READY_OUTBOX = 3;

  /** The schema version this code writes. */
  static final int VERSION = MIGRATIONS.size();

  private StoreSchema() {}

  /**
   * Gives the outbox rows of an older schema their push-ready text, under the stored replica id.
   */
  private static void respliceOutbox(SqlDatabase db, ProtocolCodec codec) throws SQLException {
    String replicaId = MetaTable.get(db, "replica_id");
    if (replicaId == null) {
      return; // a new file: no replica yet, so no outbox row
    }
    int rows = new OutboxTable(db, codec).respliceAll(replicaId);
    LOG.info("{} unsent local changes made push-ready for this SDK", rows);
  }

  /** Applies the missing migrations, each in its own transaction. */
  static void migrate(SqlDatabase db, ProtocolCodec codec) throws SQLException {
    int version = db.userVersion();
    if (version > VERSION) {
      throw new SQLException(
          "database schema version " + version + " is newer than this SDK's " + VERSION);
    }
    for (int v = version; v < VERSION; v++) {
      try {
        db.begin();
        for (String sql : MIGRATIONS.get(v)) {
          db.update(sql);
        }
        if (v + 1 == PUSH_READY_OUTBOX) {
          respliceOutbox(db, codec);
        }
        if (v + 1 == FIELD_INDEX) {
          LOG.debug("{} documents indexed for queries", FieldIndex.indexAll(db, codec));
        }
        if (v + 1 == DIGESTS) {
          LOG.info("{} local documents given their digests", DocumentTable.backfillDigests(db));
        }
        db.setUserVersion(v + 1);
        db.commit();
      } catch (SQLException e) {
        db.rollback();
        throw e;
      }
      LOG.debug("local schema migrated to version {}", v + 1);
    }
  }
}
