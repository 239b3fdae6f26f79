-- Issue 17 item 4 (docs/access-control.md section 4): erasure. An erased space keeps only this
-- tombstone, its name and when it was erased, so that a device that reconnects later is told
-- `revoked` and purges its copy. The column is deliberately not called `space`: every table with a
-- `space` column holds data of the space and is emptied of it by an erasure.
CREATE TABLE erased_space (
    name      text        PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);

-- An erased space is not started anew: the counter row every push, compaction and subscription
-- creates on first use is not inserted for a tombstoned name, whichever path inserts it, so a push
-- that races with the erasure (or comes from a token that still grants the space) finds no counter
-- and is refused with forbidden_space instead of bringing the space back.
CREATE FUNCTION space_seq_not_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_space WHERE name = NEW.space) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER space_seq_not_erased BEFORE INSERT ON space_seq
    FOR EACH ROW EXECUTE FUNCTION space_seq_not_erased();
