/**
 * Spaces: access grants from tokens and the one access rule, and the per-space serverSeq counter.
 */
package dev.converge.server.space;
