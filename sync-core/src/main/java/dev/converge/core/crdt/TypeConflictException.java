package dev.converge.core.crdt;

import java.util.List;

/**
 * A value of one type met a value of another type at the same place of a document (for example a
 * counter delta for a field that holds a register). Nothing was changed.
 */
public final class TypeConflictException extends CrdtException {
  private static final long serialVersionUID = 1L;

  private final List<String> path;

  /** Creates the exception for the field at {@code path}. */
  public TypeConflictException(List<String> path, String existingType, String incomingType) {
    super("type conflict at " + Paths.describe(path) + ": document holds '" + existingType
        + "', change brings '" + incomingType + "'");
    this.path = List.copyOf(path);
  }

  /** Returns the path of keys to the conflicting field. */
  public List<String> path() {
    return path;
  }
}
