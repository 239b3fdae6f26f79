-- Converge storage, version 1 (DESIGN.md section 4).
--
-- CRDT states and deltas are stored as TEXT, not JSONB: the sync-core codec writes maps
-- and sets in sorted order so that equal states encode to equal bytes, and JSONB would
-- re-order keys and re-format numbers. The server never queries inside a CRDT, so JSONB's
-- operators would buy nothing, while TEXT keeps the exact bytes that were joined and sent.

-- Per-space serverSeq counter. Updating this row in the changeset's transaction serializes
-- the writers of one space, so commit order equals serverSeq order (no gaps behind a cursor).
CREATE TABLE space_seq (
    space          text   PRIMARY KEY,
    head           bigint NOT NULL DEFAULT 0 CHECK (head >= 0),
    -- serverSeqs <= retained_after were compacted from change_log; a cursor below it gets a snapshot
    retained_after bigint NOT NULL DEFAULT 0 CHECK (retained_after >= 0 AND retained_after <= head)
);

-- Merged state of each document: the join of every delta applied to it.
CREATE TABLE doc_state (
    space      text        NOT NULL,
    collection text        NOT NULL,
    doc_id     text        NOT NULL,
    state      text        NOT NULL,
    head_seq   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space, collection, doc_id)
);
-- snapshot pages of a space in serverSeq order
CREATE INDEX doc_state_space_head_idx ON doc_state (space, head_seq);

-- Append-only change log per space; its rows are the deltas sent to readers.
CREATE TABLE change_log (
    space        text        NOT NULL,
    server_seq   bigint      NOT NULL,
    collection   text        NOT NULL,
    doc_id       text        NOT NULL,
    replica_id   text        NOT NULL,
    seq          bigint      NOT NULL,
    hlc          text        NOT NULL,
    delta        text        NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space, server_seq),
    -- seq increases per replica across all spaces, so an origin names one changeset; a
    -- re-push finds its serverSeq here and is acked again without a second row
    CONSTRAINT change_log_origin_uk UNIQUE (replica_id, seq)
);
-- retention horizon: compaction deletes rows committed before now() - horizon
CREATE INDEX change_log_committed_at_idx ON change_log (committed_at);

-- Highest seq applied per replica. A replica id is bound to the token subject that first
-- used it: a push under the same id from another subject is a forged replicaId.
CREATE TABLE replica_progress (
    replica_id    text   PRIMARY KEY,
    owner_subject text   NOT NULL,
    last_seq      bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0)
);
