package dev.converge.server.changeset;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The server's trust boundary, configured: every pushed delta is checked by {@link DeltaVerifier}
 * against the stored document before it is joined. Register timestamps beyond this node's clock
 * plus the allowed offset are counted (they are not refused: the devices' clocks bound what they
 * adopt).
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class ChangesetTrust {

  private final DeltaVerifier verifier;
  private final long maxOffsetMillis;
  private final Counter futureStamps;

  ChangesetTrust(
      @ConfigProperty(name = "converge.push.max-increment", defaultValue = "2147483648")
          long maxIncrement,
      @ConfigProperty(name = "converge.clock.max-offset", defaultValue = "PT24H")
          Duration maxOffset,
      MeterRegistry registry) {
    this.verifier = new DeltaVerifier(maxIncrement);
    this.maxOffsetMillis = maxOffset.toMillis();
    this.futureStamps =
        Counter.builder("converge.clock.future.stamps")
            .description(
                "Pushed changesets stamped beyond this server's clock plus converge.clock.max-offset")
            .register(registry);
  }

  /** Returns the first trust rule {@code changeset} breaks against {@code stored}, or empty. */
  Optional<Violation> check(Document stored, Changeset changeset, Lineage lineage) {
    long horizon = System.currentTimeMillis() + maxOffsetMillis;
    if (changeset.hlc().millis() > horizon || changeset.delta().maxHlc().millis() > horizon) {
      futureStamps.increment();
    }
    return verifier.verify(stored, changeset.delta(), lineage);
  }
}
