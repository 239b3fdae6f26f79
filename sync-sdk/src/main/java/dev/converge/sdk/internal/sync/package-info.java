/**
 * The SDK's sync protocol as a pure state machine: {@link dev.converge.sdk.internal.sync.Event}s
 * in, {@link dev.converge.sdk.internal.sync.Action}s out, with no threads, sockets, sleeps or
 * clocks (time comes in with each step). The engine package drives it over a real transport.
 */
package dev.converge.sdk.internal.sync;
