-- Issue 16: the identity of each space's log (docs/protocol-2.md "Log epoch"). Every change_log row
-- carries the hash chain after it: chain(n) = H(chain(n-1) || canonical bytes of entry n), H being
-- SHA-256 truncated to 128 bits, 32 lowercase hex characters (dev.converge.core.server.LogChain).
-- A device keeps the chain at its cursor and names it in hello; a server restored from a backup
-- that has taken new writes since holds other entries at those serverSeqs, hence another chain.

-- NULL for rows written before this migration: their chain is unknown, and a cursor there is not
-- checked.
ALTER TABLE change_log ADD COLUMN chain text;

-- The chain at head (what the next entry is chained to), and at retained_after (kept when the rows
-- up to it are compacted away, so a cursor exactly at the horizon can still be checked).
ALTER TABLE space_seq ADD COLUMN chain text NOT NULL DEFAULT '00000000000000000000000000000000';
ALTER TABLE space_seq ADD COLUMN retained_chain text;

-- A space with history from before this migration continues from a chain no other database
-- shares: a dump taken before it and migrated again gets another one, so even that restore is
-- seen by the devices that passed its head.
UPDATE space_seq
   SET chain = substr(md5(space || ':' || head || ':' || gen_random_uuid()::text), 1, 32)
 WHERE head > 0;

-- Document checkpoints (docs/architecture.md "Checkpoints and rebuild"): each document's state as
-- the join of its log entries up to server_seq, taken off the push path by the maintenance job.
-- A document's state is rebuilt as its checkpoint joined with its log entries after server_seq,
-- so the log compaction never deletes an entry a checkpoint still needs.
CREATE TABLE doc_checkpoint (
    space      text        NOT NULL,
    collection text        NOT NULL,
    doc_id     text        NOT NULL,
    server_seq bigint      NOT NULL CHECK (server_seq >= 0),
    state      text        NOT NULL,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space, collection, doc_id)
);

-- A document's log entries after its checkpoint, for a rebuild.
CREATE INDEX change_log_doc_idx ON change_log (space, collection, doc_id, server_seq);
