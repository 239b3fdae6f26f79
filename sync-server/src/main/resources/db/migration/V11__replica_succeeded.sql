-- Resent changes (docs/protocol-2.md): a replica id that another replica of its user declared as
-- predecessor has been succeeded, by a re-key of its own device or by a copy of its database that
-- re-keyed at open. A copy may have delivered the original's earlier writes under its own id; when
-- the original pushes them later, an entry the document saw and no longer holds is already
-- reflected rather than a reused dot. Read with the locked progress row, so no push pays a query.
ALTER TABLE replica_progress ADD COLUMN succeeded boolean NOT NULL DEFAULT false;
-- Replicas declared as predecessors before this column: succeeded.
UPDATE replica_progress p SET succeeded = true
  WHERE EXISTS (SELECT 1 FROM replica_progress s WHERE s.predecessor = p.replica_id);
