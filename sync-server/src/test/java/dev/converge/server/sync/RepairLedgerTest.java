package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.digest.DigestTree;
import dev.converge.server.document.DocKey;
import dev.converge.server.metrics.AntiEntropyMetrics.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-session ledger of reported repairs: resolved once, by space and subtree, bounded. */
class RepairLedgerTest {

  private static String leafOf(DocKey doc) {
    return DigestTree.leafPath(DigestTree.leafOf(doc.collection, doc.docId));
  }

  @Test
  void aReport_isResolvedOnce_byItsLeafOrAnEqualAncestor_inItsSpaceOnly() {
    RepairLedger ledger = new RepairLedger();
    DocKey a = new DocKey("s1", "notes", "a");
    DocKey b = new DocKey("s1", "notes", "b");
    ledger.reported(a, Direction.TO_DEVICE);
    ledger.reported(b, Direction.TO_SERVER);

    assertThat(ledger.equalNodes("s2", List.of(""))).isEmpty();
    assertThat(ledger.equalInLeaf("s1", leafOf(a), List.of(a))).isEmpty();
    assertThat(ledger.equalInLeaf("s1", leafOf(a), List.of())).containsExactly(Direction.TO_DEVICE);
    assertThat(ledger.equalInLeaf("s1", leafOf(a), List.of())).isEmpty();
    assertThat(ledger.equalNodes("s1", List.of(leafOf(b).substring(0, 1))))
        .containsExactly(Direction.TO_SERVER);
    assertThat(ledger.size()).isZero();
  }

  @Test
  void reportsBeyondTheBound_areNotTracked_butTrackedOnesAreUpdated() {
    RepairLedger ledger = new RepairLedger();
    for (int i = 0; i < RepairLedger.MAX_PENDING; i++) {
      ledger.reported(new DocKey("s", "c", "d" + i), Direction.TO_DEVICE);
    }
    assertThat(ledger.size()).isEqualTo(RepairLedger.MAX_PENDING);
    ledger.reported(new DocKey("s", "c", "beyond"), Direction.TO_DEVICE);
    assertThat(ledger.size()).isEqualTo(RepairLedger.MAX_PENDING);
    ledger.reported(new DocKey("s", "c", "d0"), Direction.TO_SERVER);
    assertThat(ledger.equalNodes("s", List.of("")))
        .hasSize(RepairLedger.MAX_PENDING)
        .containsOnlyOnce(Direction.TO_SERVER);
  }
}
