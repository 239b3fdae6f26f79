/**
 * The server's semantics of a push, I/O-free (DESIGN §4, §7 "One server core"): what a changeset
 * does to the stored documents, the change log and the replica's progress, decided from plain
 * values. {@link dev.converge.core.server.PushRules} checks a push, plans what must be read, and
 * decides every changeset against what was read; whoever holds the data (the server's PostgreSQL
 * transaction, or a deterministic simulation's memory) reads and writes. One copy of the rules, so
 * the real server and a simulation cannot drift apart.
 *
 * <p>Nothing here performs I/O, reads a clock it was not given, or knows a framework.
 */
package dev.converge.core.server;
