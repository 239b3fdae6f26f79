package dev.converge.sdk;

/**
 * How a field of an app-defined collection merges concurrent writes (see the design, section 2).
 */
public enum FieldPolicy {
  /**
   * A register; reads return the last writer's value (greatest hybrid timestamp, then replica id).
   */
  REGISTER_LWW,
  /** A register; reads return every concurrent value, for the app to resolve by writing one. */
  REGISTER_MULTI_VALUE,
  /** A counter: increments and decrements from every replica add up. */
  COUNTER,
  /** An add-wins set of strings: an add concurrent with a remove wins. */
  SET,
  /**
   * A map from string keys to last-writer-wins values; an update concurrent with a removal of the
   * key survives.
   */
  MAP
}
