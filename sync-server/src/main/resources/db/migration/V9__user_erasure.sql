-- Issue 17 item 4 (docs/access-control.md "Erasing a user"): erasure of a user. The user's rows
-- leave every table; what remains is this tombstone, which holds no identifier of the user in
-- clear: the SHA-256 (hex) of the token subject, so that a device of the user that connects later
-- is told to purge, and nothing of the user is created again.
CREATE TABLE erased_subject (
    subject_hash text        PRIMARY KEY CHECK (subject_hash ~ '^[0-9a-f]{64}$'),
    erased_at    timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION subject_hash(subject text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT encode(sha256(convert_to(subject, 'UTF8')), 'hex')
$$;

-- Nothing of an erased user is created again: a replica of an erased subject gets no progress row
-- (every push starts by inserting it), so its push is refused and writes nothing. The shared
-- advisory lock orders the insert with an erasure of the same subject, which takes the lock
-- exclusively: a push that got its row first commits before the erasure deletes it, one that comes
-- later waits and then sees the tombstone.
CREATE FUNCTION replica_progress_not_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtext('converge.subject:' || NEW.owner_subject));
    IF EXISTS (SELECT 1 FROM erased_subject WHERE subject_hash = subject_hash(NEW.owner_subject)) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER replica_progress_not_erased BEFORE INSERT ON replica_progress
    FOR EACH ROW EXECUTE FUNCTION replica_progress_not_erased();

-- The own space of an erased user (user:<subject>) is not started anew either: its name is not
-- kept in erased_space (it holds the subject), the subject's hash stands for it.
CREATE OR REPLACE FUNCTION space_seq_not_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_space WHERE name = NEW.space) THEN
        RETURN NULL;
    END IF;
    IF NEW.space LIKE 'user:%' AND EXISTS (
            SELECT 1 FROM erased_subject WHERE subject_hash = subject_hash(substr(NEW.space, 6))) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

-- an erasure finds a user's replicas by their owner
CREATE INDEX replica_progress_owner_idx ON replica_progress (owner_subject);
