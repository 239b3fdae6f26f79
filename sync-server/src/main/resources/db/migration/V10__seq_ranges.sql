-- Seq ranges (docs/protocol-2.md): one pushed changeset may cover the replica's seqs
-- seq..to_seq (its unsent changes of one document, joined on the device). Rows logged before
-- have none: null means to_seq = seq (new rows always carry it). A re-push reads the entries overlapping its seqs by
-- (replica_id, seq), which the origin key indexes; a range covers at most 1,000 seqs, so that
-- read is bounded.
ALTER TABLE change_log ADD COLUMN to_seq bigint;
ALTER TABLE change_log ADD CONSTRAINT change_log_range_ck CHECK (to_seq IS NULL OR to_seq >= seq);
