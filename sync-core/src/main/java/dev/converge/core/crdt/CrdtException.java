package dev.converge.core.crdt;

/** A CRDT operation that cannot be carried out; the state is left unchanged. */
public class CrdtException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that says what was wrong. */
  public CrdtException(String message) {
    super(message);
  }
}
