package dev.converge.core.protocol;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The wire names of message types: a record's simple name in lower case. Computed once per class;
 * the frozen fixtures of every type (WireFixturesTest) hold the names to their values.
 */
final class WireNames {
  // A map, not ClassValue: Android below API 34 has no ClassValue (the SDK keeps to API 26). Its
  // keys are the protocol's own message classes only, a fixed handful.
  private static final Map<Class<?>, String> NAMES = new ConcurrentHashMap<>();

  private WireNames() {}

  static String of(Object message) {
    return of(message.getClass());
  }

  static String of(Class<?> type) {
    return NAMES.computeIfAbsent(type, t -> t.getSimpleName().toLowerCase(Locale.ROOT));
  }
}
