/**
 * Changesets: the push service and the change log ({@code docs/protocol-2.md}). {@link
 * dev.converge.server.changeset.PushService} is the I/O shell of the server core ({@link
 * dev.converge.core.server.PushRules} in sync-core decides): in one transaction it reads the
 * replica's progress, the repeated seqs' records and the touched documents under their locks, and
 * writes what the core decided to {@code doc_state}, {@code change_log}, {@code rejected_changeset}
 * and {@code replica_progress}. Post-commit effects go through {@link
 * dev.converge.server.changeset.CommittedPushes}, which the live-sync side implements.
 *
 * <p>Depends on {@code document}, {@code space} and {@code error}; knows no endpoint.
 */
package dev.converge.server.changeset;
