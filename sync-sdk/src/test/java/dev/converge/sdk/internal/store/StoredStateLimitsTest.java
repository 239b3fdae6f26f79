package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.CounterValue;
import dev.converge.core.protocol.CodecLimits;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state grown by joins past the input limits stays readable and writable on the device. */
class StoredStateLimitsTest {

  @TempDir Path dir;

  @Test
  void stateBeyondTheInputLimits_isStillReadAndWritten() {
    // Input limits of 50 entries per value: each write is tiny, the state grows past them.
    ProtocolCodec small = new ProtocolCodec(new CodecLimits(32, 50, 65_536, 1 << 20));
    DocumentKey key = new DocumentKey("user:a", "stats", "views");
    try (SqliteStore store =
        SqliteStore.open(dir.resolve("s.db"), small, System::currentTimeMillis, false)) {
      for (int i = 0; i < 120; i++) {
        store.writeLocal(
            key, (doc, replica, hlc) -> doc.addToCounter(replica, List.of("views"), 1));
      }
    }
    try (SqliteStore reopened =
        SqliteStore.open(dir.resolve("s.db"), small, System::currentTimeMillis, false)) {
      reopened.writeLocal(
          key, (doc, replica, hlc) -> doc.addToCounter(replica, List.of("views"), 1));
      assertThat(
              reopened
                  .read(key)
                  .orElseThrow()
                  .get(List.of("views"), CounterValue.class)
                  .orElseThrow()
                  .value())
          .isEqualTo(121);
    }
  }
}
