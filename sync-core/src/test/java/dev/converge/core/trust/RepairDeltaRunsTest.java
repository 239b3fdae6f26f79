package dev.converge.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RandomMutations;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Counter runs in a repair: a server restored from a backup taken before it compacted a device's
 * increments into a run gets the run back from the device, replacing the single increments it still
 * holds, with nothing lost and nothing counted twice.
 */
class RepairDeltaRunsTest {

  private static final String ME = "deviceReplica01";
  private static final String OLD_ME = "deviceReplica00";
  private static final String OTHER = "otherReplica001";
  private static final List<String> QTY = List.of("items", "egg", "qty");
  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  private final ProtocolCodec codec = new ProtocolCodec();
  private final Lineage lineage = new Lineage(ME, Set.of(OLD_ME));

  @Test
  void runFormedAfterTheBackup_comesBack_andReplacesTheIncrementsTheServerStillHolds() {
    Document server = new Document();
    for (int i = 0; i < 3; i++) {
      server.addToCounter(ME, QTY, 2);
    }
    Document backup = server.copy();
    server.addToCounter(ME, QTY, 5);
    server.addToCounter(OTHER, QTY, 1);
    Document device = server.copy();
    device.join(server.compact(StablePoint.of(server.context())));

    for (RepairDelta.Scope scope : RepairDelta.Scope.values()) {
      Document repair = RepairDelta.of(device, backup, lineage, scope);
      assertThat(verifier.verify(backup, repair, lineage)).as(scope.name()).isEmpty();
      assertThat(counter(repair).entries().values())
          .as(scope.name())
          .containsExactly(CounterEntry.run(ME, 1, 4, 11));
      Document repaired = Document.joined(backup, repair);
      // The restored server never had OTHER's increment: 11, not 12, and reported, not forged.
      assertThat(counter(repaired).value()).as(scope.name()).isEqualTo(11);
      assertThat(RepairDelta.foreignMissing(device, backup, lineage)).isNotEmpty();
    }
  }

  @Test
  void runThatWouldCutAnEntryTheServerHolds_isHeldBack_andTheRestStillComesBack() {
    Document server = new Document();
    server.addToCounter(ME, QTY, 1);
    server.addToCounter(ME, QTY, 1);
    // The restored server compacted dots 1-2 by itself; the device holds a run of 2-3 only
    // (formed from a state where dot 1 was a run of its own): a run over 2-3 would cut 1..2.
    server.compact(StablePoint.of(server.context()));
    Document odd = server.copy();
    String cutting =
        "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"egg\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\","
            + "\"e\":[[\""
            + ME
            + "\",2,4,3]]}}}}}},\"c\":{\""
            + ME
            + "\":[4]}}";
    odd.join(codec.decodeDocument(cutting));
    odd.addToCounter(ME, List.of("visits"), 1);
    Document repair = RepairDelta.of(odd, server, lineage, RepairDelta.Scope.WITH_REMOVES);
    assertThat(verifier.verify(server, repair, lineage)).isEmpty();
    // The visit (dot 5) comes back; the cutting run stays on the device, for digests to report.
    assertThat(Document.joined(server, repair).toJson().path("visits").asLong()).isEqualTo(1);
    assertThat(counter(repair).entries()).isEmpty();
  }

  @Test
  void anotherReplicasRun_theServerNoLongerHolds_staysOutOfTheRepair() {
    Document server = new Document();
    server.addToCounter(OTHER, QTY, 1);
    server.addToCounter(OTHER, QTY, 1);
    Document device = server.copy();
    device.join(server.compact(StablePoint.of(server.context())));
    // The server has since removed the item; the device (say, a damaged file) still holds the run,
    // and wrote something of its own the server lacks.
    server.remove(List.of("items", "egg"));
    device.addToCounter(ME, List.of("visits"), 1);

    for (RepairDelta.Scope scope : RepairDelta.Scope.values()) {
      Document repair = RepairDelta.of(device, server, lineage, scope);
      assertThat(verifier.verify(server, repair, lineage)).as(scope.name()).isEmpty();
      assertThat(counter(repair).entries()).as(scope.name()).isEmpty();
      assertThat(Document.joined(server, repair).toJson().path("visits").asLong()).isEqualTo(1);
    }
  }

  @Test
  void restoredServer_endsWithTheDevicesState_whateverWasCompactedAfterTheBackup() {
    qt().withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              Document truth = new Document();
              Document device = new Document();
              int steps = 40;
              int backupAt = random.nextInt(steps);
              Document backup = null;
              String[] beforeBackup = {ME, OLD_ME, OTHER};
              for (int step = 0; step < steps; step++) {
                if (step == backupAt) {
                  backup = truth.copy();
                }
                if (random.nextInt(5) == 0) {
                  // The server compacts what every replica has seen and sends the runs on.
                  device.join(truth.compact(StablePoint.of(truth.context())));
                  continue;
                }
                // Other members wrote only before the backup (the restored server holds their
                // writes); afterwards only this device's lineage writes.
                String writer = beforeBackup[random.nextInt(step < backupAt ? 3 : 2)];
                truth.join(RandomMutations.apply(device, writer, random, new Hlc(step + 1, 0)));
              }
              assertThat(device.toJson()).isEqualTo(truth.toJson());
              Document repair =
                  RepairDelta.of(device, backup, lineage, RepairDelta.Scope.WITH_REMOVES);
              assertThat(verifier.verify(backup, repair, lineage)).as("seed %d", seed).isEmpty();
              Document repaired = Document.joined(backup, repair);
              assertThat(repaired.toJson()).as("seed %d", seed).isEqualTo(device.toJson());
              // Digest repair of the same pair never removes an entry it does not replace.
              Document own = RepairDelta.of(device, backup, lineage, RepairDelta.Scope.OWN_WRITES);
              assertThat(verifier.verify(backup, own, lineage)).as("seed %d", seed).isEmpty();
            });
  }

  @Test
  void anyHistoryWithCompactions_repairPassesTheTrustBoundary_andCarriesOnlyOwnDots() {
    qt().withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              Document server = new Document();
              Document local = new Document();
              String[] ids = {ME, OLD_ME, OTHER};
              for (int step = 0; step < 40; step++) {
                if (random.nextInt(6) == 0) {
                  // A compaction the device received, which the server may or may not hold
                  // (lost with a backup, or a damaged row).
                  Document runs = local.compact(StablePoint.of(local.context()));
                  if (random.nextBoolean()) {
                    server.join(runs);
                  }
                  continue;
                }
                Document delta =
                    RandomMutations.apply(
                        local, ids[random.nextInt(3)], random, new Hlc(step + 1, 0));
                if (random.nextInt(3) > 0) {
                  server.join(delta);
                }
              }
              for (RepairDelta.Scope scope : RepairDelta.Scope.values()) {
                Document repair = RepairDelta.of(local, server, lineage, scope);
                assertThat(verifier.verify(server, repair, lineage))
                    .as("seed %d, %s", seed, scope)
                    .isEmpty();
                repair.root().forEachDot(dot -> assertThat(lineage.owns(dot.replica())).isTrue());
              }
            });
  }

  private static CounterValue counter(Document doc) {
    return doc.get(QTY, CounterValue.class).orElseGet(CounterValue::new);
  }
}
