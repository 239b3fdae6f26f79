package dev.converge.server.changeset;

import dev.converge.core.server.WriteCheck;

/**
 * A deployment's own write rule: implement it as a CDI bean ({@code @ApplicationScoped}) in a jar
 * built into the server, and every new changeset that passes the built-in checks is offered to it
 * inside the push's transaction, with the pushing subject and the document as stored. A refusal is
 * consumed like any other ({@code error{code: "write_refused", message: <yours>}}) and leaves a
 * context-only entry, so the pusher's device drops the value.
 *
 * <p>It runs while the space's lock is held: keep it fast and free of I/O (read what it needs at
 * start-up). An exception fails the whole push with {@code internal}, which the device retries, so
 * a rule should refuse rather than throw. Several beans are asked in turn; the first refusal wins.
 */
public interface WriteRule extends WriteCheck {}
