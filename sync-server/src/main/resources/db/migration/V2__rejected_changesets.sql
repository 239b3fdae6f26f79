-- Changesets consumed without being applied (validation failed against the stored document).
-- The replica's seq moved past them so its later changesets apply; a re-push of one gets the
-- same error again instead of a silent ack.
CREATE TABLE rejected_changeset (
    replica_id text   NOT NULL,
    seq        bigint NOT NULL,
    code       text   NOT NULL,
    message    text   NOT NULL,
    PRIMARY KEY (replica_id, seq)
);
