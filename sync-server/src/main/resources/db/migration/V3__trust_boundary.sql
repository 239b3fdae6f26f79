-- Trust boundary (DESIGN.md sections 4 and 7).

-- A replica created by a re-key names the replica it succeeds (same owner): the server accepts
-- the predecessor's dots in its changesets when they are new or identical to what it holds, so
-- no unsent write is lost when a device takes a new replica id.
ALTER TABLE replica_progress ADD COLUMN predecessor text;

-- A re-push of a refused changeset is compared over its whole content (space, collection, docId,
-- hlc, delta), as an applied one is; rows refused before this column existed are not compared.
ALTER TABLE rejected_changeset ADD COLUMN content_hash text;
