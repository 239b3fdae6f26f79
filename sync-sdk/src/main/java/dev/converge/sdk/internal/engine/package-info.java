/** Internal: not API; may change without notice. */
package dev.converge.sdk.internal.engine;
