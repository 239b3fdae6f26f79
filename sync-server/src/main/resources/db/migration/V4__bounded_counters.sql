-- Bounded counters (DESIGN.md sections 2 and 7; docs/crdt.md "Bounded counters: the server's
-- rules"). The server coalesces each replica's causally stable counter increments into runs, up
-- to the compaction point of the space: the least stable point of its live replicas.

-- The live set of each space: the stable point each replica reported (hello.subscriptions[].stable,
-- push.stable, sync.stable): a serverSeq S such that every changeset the replica will still push
-- was made with a context holding the space's changes up to S. Only ever raised (greatest wins),
-- clamped to [retained_after, head] of the space. A row leaves when its replica re-keys (the new id
-- declares it as predecessor), loses the space (revoked token), stops subscribing to it, or falls
-- behind the retention horizon (it needs a snapshot anyway).
CREATE TABLE stable_point (
    space      text        NOT NULL,
    replica_id text        NOT NULL,
    stable     bigint      NOT NULL CHECK (stable >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space, replica_id)
);
-- a replica's rows across spaces (re-key, unsubscribe)
CREATE INDEX stable_point_replica_idx ON stable_point (replica_id);

-- The greatest compaction point at which a document of the space was compacted. A session that
-- starts following from a cursor below it is served a snapshot: it was in no live set when that
-- compaction ran, so a change it made from older data must not be met with runs it never saw.
ALTER TABLE space_seq ADD COLUMN compacted_through bigint NOT NULL DEFAULT 0
    CHECK (compacted_through >= 0);

-- The serverSeq of the document's first change the compaction has not looked at yet (NULL: none).
-- A document is due once the compaction point reaches it. Every push keeps the earliest one;
-- documents stored before this migration are due at once (0).
ALTER TABLE doc_state ADD COLUMN compact_due bigint DEFAULT 0;
ALTER TABLE doc_state ALTER COLUMN compact_due DROP DEFAULT;
CREATE INDEX doc_state_compact_due_idx ON doc_state (space, compact_due)
    WHERE compact_due IS NOT NULL;

-- Compaction entries are logged under the replica id 'converge.compaction' with a seq from this
-- sequence (change_log's (replica_id, seq) is unique across spaces). The id is reserved by a
-- progress row owned by the empty subject, which no token has: a push under it is replica_forged.
CREATE SEQUENCE compaction_origin_seq;
INSERT INTO replica_progress (replica_id, owner_subject, last_seq)
    VALUES ('converge.compaction', '', 0)
    ON CONFLICT (replica_id) DO UPDATE SET owner_subject = '';
