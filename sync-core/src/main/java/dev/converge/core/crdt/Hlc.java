package dev.converge.core.crdt;

/**
 * A hybrid logical clock timestamp (Kulkarni et al. 2014): wall-clock milliseconds plus a logical
 * counter that orders events within one millisecond or under clock skew.
 *
 * <p>It only orders concurrent register writes (last-writer-wins); causality is decided by dots,
 * never by clocks. Its text form is {@code "<millis>:<logical>"}, exact in every JSON
 * implementation. Immutable and thread-safe.
 *
 * @param millis physical time in milliseconds since the epoch, 0 to 2^48 - 1
 * @param logical logical counter, 0 to 2^31 - 1
 */
public record Hlc(long millis, int logical) implements Comparable<Hlc> {

  /** Largest physical time accepted (about year 10889). */
  public static final long MAX_MILLIS = (1L << 48) - 1;

  /** The smallest timestamp. */
  public static final Hlc ZERO = new Hlc(0, 0);

  /** The largest timestamp; a clock that reaches it saturates there. */
  public static final Hlc MAX = new Hlc(MAX_MILLIS, Integer.MAX_VALUE);

  /**
   * Creates a timestamp.
   *
   * @throws IllegalArgumentException if a component is out of range
   */
  public Hlc {
    if (millis < 0 || millis > MAX_MILLIS) {
      throw new IllegalArgumentException("hlc millis out of range [0, 2^48-1]: " + millis);
    }
    if (logical < 0) {
      throw new IllegalArgumentException("hlc logical counter must be >= 0: " + logical);
    }
  }

  /**
   * Parses the text form {@code "<millis>:<logical>"}.
   *
   * @throws IllegalArgumentException if the text is not of that form or out of range
   */
  public static Hlc parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.length() > 32) {
      throw new IllegalArgumentException(
          "hlc must look like '<millis>:<logical>', got " + ReplicaIds.abbreviate(text));
    }
    try {
      return new Hlc(
          Long.parseLong(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "hlc must look like '<millis>:<logical>', got " + ReplicaIds.abbreviate(text), e);
    }
  }

  @Override
  public int compareTo(Hlc other) {
    int byMillis = Long.compare(millis, other.millis);
    return byMillis != 0 ? byMillis : Integer.compare(logical, other.logical);
  }

  @Override
  public String toString() {
    return millis + ":" + logical;
  }
}
