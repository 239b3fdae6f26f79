/**
 * The WebSocket sync endpoint and live fan-out ({@code docs/protocol-2.md}): {@link
 * dev.converge.server.sync.SyncEndpoint} guards connections and hands their messages to {@link
 * dev.converge.server.sync.SyncProtocol} (which hands {@code hello} to {@link
 * dev.converge.server.sync.HelloHandler}); each {@link dev.converge.server.sync.SyncSession} pumps
 * its spaces' log to the client through {@link dev.converge.server.sync.SpaceFeeds}, within a
 * bounded outbound budget. The session registry, the shared log cache, LISTEN/NOTIFY and the
 * periodic maintenance wake sessions after commits, on this node and others; {@link
 * dev.converge.server.sync.PushEffects} are the post-commit effects of every push, REST included.
 *
 * <p>An endpoint layer: depends on the services below it, nothing depends on it.
 */
package dev.converge.server.sync;
