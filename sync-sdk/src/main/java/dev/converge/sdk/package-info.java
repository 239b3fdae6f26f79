/**
 * The public API of the Converge SDK: {@link dev.converge.sdk.SyncClient} and its builder, the
 * document handles ({@link dev.converge.sdk.Cart}, {@link dev.converge.sdk.Profile}, {@link
 * dev.converge.sdk.DocumentHandle}), listeners, status and the one {@link
 * dev.converge.sdk.SyncException}. Everything under {@code dev.converge.sdk.internal} may change
 * without notice.
 */
package dev.converge.sdk;
