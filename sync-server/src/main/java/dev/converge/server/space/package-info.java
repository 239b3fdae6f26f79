/** Spaces: access grants from tokens, per-space sequence and subscriptions. */
package dev.converge.server.space;
