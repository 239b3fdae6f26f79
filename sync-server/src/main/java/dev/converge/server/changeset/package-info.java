/**
 * Changesets: push, ack and the change log (DESIGN.md sections 3 and 4). Applies each changeset in
 * one transaction (join into {@code doc_state}, append to {@code change_log} with the space's next
 * {@code serverSeq}, record {@code replica_progress}); the join itself lives in sync-core.
 */
package dev.converge.server.changeset;
