-- Issue 17 item 4 (docs/access-control.md section 4): erasure. An erased space keeps only this
-- tombstone, its name and when it was erased, so that a device that reconnects later is told
-- `revoked` and purges its copy. The column is deliberately not called `space`: every table with a
-- `space` column holds data of the space and is emptied of it by an erasure.
CREATE TABLE erased_space (
    name      text        PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);
