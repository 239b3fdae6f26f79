-- Issue 17: the bytes of each space's stored documents, kept by every push and counter compaction
-- under the space's lock, so the space quota is checked without summing the space's documents.
ALTER TABLE space_seq ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0 CHECK (stored_bytes >= 0);

UPDATE space_seq s
   SET stored_bytes = d.bytes
  FROM (SELECT space, sum(octet_length(state))::bigint AS bytes FROM doc_state GROUP BY space) d
 WHERE d.space = s.space;
