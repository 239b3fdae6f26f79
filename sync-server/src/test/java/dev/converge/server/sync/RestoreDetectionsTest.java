package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.server.metrics.AntiEntropyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A space found restored counts once per device: the re-keyed hello that follows the detection, and
 * a reconnect before the repair is through, are not counted again; another device or another space
 * is.
 */
class RestoreDetectionsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RestoreDetections detections =
      new RestoreDetections(new AntiEntropyMetrics(registry));

  private double counted() {
    return registry
        .get("converge.antientropy.divergent.documents")
        .tag("cause", "restore")
        .counter()
        .count();
  }

  @Test
  void eachDeviceAndSpace_countsOnce_acrossItsRekeyAndReconnects() {
    assertThat(detections.detected("a-old", null, Set.of("s1", "s2"))).isEqualTo(2);
    // The same device after its re-key, then reconnecting under the new id.
    assertThat(detections.detected("a-new", "a-old", Set.of("s1", "s2"))).isZero();
    assertThat(detections.detected("a-new", "a-old", List.of("s1"))).isZero();
    assertThat(detections.detected("a-new", null, List.of("s2"))).isZero();
    // Another device, and a space the first device had not found restored.
    assertThat(detections.detected("b", null, List.of("s1"))).isEqualTo(1);
    assertThat(detections.detected("a-new", "a-old", List.of("s3"))).isEqualTo(1);
    assertThat(detections.detected("c", null, List.of())).isZero();
    assertThat(counted()).isEqualTo(4);
  }

  @Test
  void theOldestPairs_areForgotten_pastTheBound() {
    for (int i = 0; i < RestoreDetections.REMEMBERED; i++) {
      detections.detected("r" + i, null, List.of("s"));
    }
    assertThat(detections.detected("r0", null, List.of("s"))).isZero();
    // One more pair than the bound: the eldest one (r1, since r0 was just read) is forgotten.
    assertThat(detections.detected("extra", null, List.of("s"))).isEqualTo(1);
    assertThat(detections.detected("r" + (RestoreDetections.REMEMBERED - 1), null, List.of("s")))
        .isZero();
    assertThat(counted()).isEqualTo(RestoreDetections.REMEMBERED + 1);
  }
}
