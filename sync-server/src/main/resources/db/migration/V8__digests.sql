-- Issue 16: document digests for anti-entropy (docs/protocol-2.md, "Digests"). Each document keeps
-- the 128-bit digest of its state (the first 16 bytes of the SHA-256 of the stored canonical
-- encoding, as two big-endian bigints) and its leaf in the space's digest tree (the first 12 bits
-- of the SHA-256 of collection || '\n' || doc_id: 16-way fan-out, depth 3, 4096 leaves). The same
-- functions are dev.converge.core.digest.DocDigest and DigestTree; DigestParityTest holds them
-- equal. The empty state has no digest (leaf NULL): it counts as absent on both sides.
--
-- A trigger computes them whenever a row's state is written, so every writer of doc_state (the
-- push paths, counter compaction, any later one) keeps them in its own transaction without being
-- able to forget; an erasure deletes the rows and their digests with them.
ALTER TABLE doc_state
    ADD COLUMN h1   bigint NOT NULL DEFAULT 0,
    ADD COLUMN h2   bigint NOT NULL DEFAULT 0,
    ADD COLUMN leaf smallint;

CREATE FUNCTION doc_state_digest() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d bytea;
    k bytea;
BEGIN
    IF NEW.state = '{"s":{},"c":{}}' THEN
        NEW.h1 := 0;
        NEW.h2 := 0;
        NEW.leaf := NULL;
    ELSE
        d := sha256(convert_to(NEW.state, 'UTF8'));
        k := sha256(convert_to(NEW.collection || E'\n' || NEW.doc_id, 'UTF8'));
        NEW.h1 := ('x' || encode(substr(d, 1, 8), 'hex'))::bit(64)::bigint;
        NEW.h2 := ('x' || encode(substr(d, 9, 8), 'hex'))::bit(64)::bigint;
        NEW.leaf := (get_byte(k, 0) << 4) | (get_byte(k, 1) >> 4);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER doc_state_digest BEFORE INSERT OR UPDATE OF state, collection, doc_id ON doc_state
    FOR EACH ROW EXECUTE FUNCTION doc_state_digest();

-- Backfill: rewriting each state fires the trigger.
UPDATE doc_state SET state = state;

-- The digest aggregates (bit_xor, count per child) read only this index.
CREATE INDEX doc_state_digest_idx ON doc_state (space, leaf) INCLUDE (h1, h2) WHERE leaf IS NOT NULL;
