package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The log chain: deterministic, sensitive to every component and to order, in its wire form. */
class LogChainTest {

  private static LogEntry entry(long serverSeq, String delta) {
    return new LogEntry("s", serverSeq, "c", "d", "replica00000001", serverSeq, "1-0", delta);
  }

  @Test
  void equalHistories_haveEqualChains() {
    List<LogEntry> log = List.of(entry(1, "{}"), entry(2, "{\"a\":1}"));
    assertThat(LogChain.after(LogChain.GENESIS, log))
        .isEqualTo(LogChain.after(LogChain.GENESIS, List.copyOf(log)))
        .matches(LogChain::isValid)
        .isNotEqualTo(LogChain.GENESIS);
  }

  @Test
  void aDifferentEntryAtTheSameSeq_changesTheChain() {
    String restored =
        LogChain.after(LogChain.GENESIS, List.of(entry(1, "{}"), entry(2, "{\"b\":1}")));
    String original =
        LogChain.after(LogChain.GENESIS, List.of(entry(1, "{}"), entry(2, "{\"a\":1}")));
    assertThat(restored).isNotEqualTo(original);
  }

  @Test
  void everyComponent_changesTheChain() {
    LogEntry base = new LogEntry("s", 1, "c", "d", "r", 1, "h", "x");
    String chain = LogChain.next(LogChain.GENESIS, base);
    List<LogEntry> variants =
        List.of(
            new LogEntry("t", 1, "c", "d", "r", 1, "h", "x"),
            new LogEntry("s", 2, "c", "d", "r", 1, "h", "x"),
            new LogEntry("s", 1, "e", "d", "r", 1, "h", "x"),
            new LogEntry("s", 1, "c", "e", "r", 1, "h", "x"),
            new LogEntry("s", 1, "c", "d", "q", 1, "h", "x"),
            new LogEntry("s", 1, "c", "d", "r", 2, "h", "x"),
            new LogEntry("s", 1, "c", "d", "r", 1, "i", "x"),
            new LogEntry("s", 1, "c", "d", "r", 1, "h", "y"),
            // The same characters split differently between two fields.
            new LogEntry("s", 1, "cd", "", "r", 1, "h", "x"));
    for (LogEntry variant : variants) {
      assertThat(LogChain.next(LogChain.GENESIS, variant))
          .as(variant.toString())
          .isNotEqualTo(chain);
    }
  }

  @Test
  void order_changesTheChain() {
    assertThat(LogChain.after(LogChain.GENESIS, List.of(entry(1, "a"), entry(1, "b"))))
        .isNotEqualTo(LogChain.after(LogChain.GENESIS, List.of(entry(1, "b"), entry(1, "a"))));
  }

  @Test
  void knownValue_isStable() {
    // Pinned: the chain is stored and compared across releases, so its definition never changes.
    assertThat(LogChain.next(LogChain.GENESIS, new LogEntry("s", 1, "c", "d", "r", 1, "h", "x")))
        .isEqualTo(PINNED);
  }

  private static final String PINNED = "8fcd5334ff7b76505096f7788f1a3890";

  @Test
  void wireForm_isValidated() {
    assertThat(LogChain.isValid(LogChain.GENESIS)).isTrue();
    assertThat(LogChain.isValid("0123456789abcdef0123456789abcdef")).isTrue();
    assertThat(LogChain.isValid("0123456789ABCDEF0123456789abcdef")).isFalse();
    assertThat(LogChain.isValid("0123456789abcdef0123456789abcde")).isFalse();
    assertThat(LogChain.isValid("0123456789abcdef0123456789abcdeff")).isFalse();
    assertThat(LogChain.isValid("0123456789abcdef0123456789abcdeg")).isFalse();
    assertThat(LogChain.isValid(null)).isFalse();
    assertThatThrownBy(() -> LogChain.next("xyz", entry(1, "{}")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
