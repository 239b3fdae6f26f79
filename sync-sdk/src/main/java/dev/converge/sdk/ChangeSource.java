package dev.converge.sdk;

/** Where a document change came from. */
public enum ChangeSource {
  /** A write made through this client. */
  LOCAL,
  /** A change received from the server (another device, a snapshot, or a purge on revocation). */
  REMOTE
}
