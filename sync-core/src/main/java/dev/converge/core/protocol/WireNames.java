package dev.converge.core.protocol;

import java.util.Locale;

/**
 * The wire names of message types: a record's simple name in lower case. Computed once per class;
 * the frozen fixtures of every type (WireFixturesTest) hold the names to their values.
 */
final class WireNames {
  private static final ClassValue<String> NAMES =
      new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
          return type.getSimpleName().toLowerCase(Locale.ROOT);
        }
      };

  private WireNames() {}

  static String of(Object message) {
    return of(message.getClass());
  }

  static String of(Class<?> type) {
    return NAMES.get(type);
  }
}
