package dev.converge.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Conflict;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The profile policy: per-field last-writer-wins that keeps concurrent losers inspectable. */
class ProfileScenarioTest {

  private static final long NOW = 1_764_000_000_000L;
  private static final long HOUR = 3_600_000L;

  private final Document phone = new Document();
  private final Document laptop = new Document();

  @Test
  void writeMadeAfterObservingAnother_winsEvenWhenItsClockIsAnHourBehind() {
    laptop.join(Profile.of(phone).set("phone", "name", TextNode.valueOf("Ada"), new Hlc(NOW, 0)));
    Document later =
        Profile.of(laptop)
            .set("laptop", "name", TextNode.valueOf("Ada L."), new Hlc(NOW - HOUR, 0));
    phone.join(later);

    assertThat(Profile.of(phone).get("name")).contains(TextNode.valueOf("Ada L."));
    assertThat(Profile.of(phone).conflicts()).isEmpty();
    assertThat(laptop).isEqualTo(phone);
  }

  @Test
  void concurrentWrites_lwwPicksGreaterHlcAndReplica_loserListedAsConflict() {
    Document fromPhone =
        Profile.of(phone).set("phone", "name", TextNode.valueOf("Ada"), new Hlc(NOW, 0));
    Document fromLaptop =
        Profile.of(laptop).set("laptop", "name", TextNode.valueOf("Grace"), new Hlc(NOW + 5, 0));
    phone.join(fromLaptop);
    laptop.join(fromPhone);

    assertThat(Profile.of(phone).get("name")).contains(TextNode.valueOf("Grace"));
    List<Conflict> conflicts = Profile.of(laptop).conflicts();
    assertThat(conflicts).hasSize(1);
    Conflict conflict = conflicts.get(0);
    assertThat(conflict.path()).containsExactly("name");
    assertThat(conflict.winner().value()).isEqualTo(TextNode.valueOf("Grace"));
    assertThat(conflict.losers())
        .singleElement()
        .satisfies(
            loser -> {
              assertThat(loser.value()).isEqualTo(TextNode.valueOf("Ada"));
              assertThat(loser.dot().replica()).isEqualTo("phone");
            });
    assertThat(laptop).isEqualTo(phone);
  }

  @Test
  void concurrentWritesWithEqualHlc_replicaIdBreaksTheTie() {
    Document fromA =
        Profile.of(phone).set("a-replica", "city", TextNode.valueOf("Oslo"), new Hlc(NOW, 3));
    Document fromB =
        Profile.of(laptop).set("b-replica", "city", TextNode.valueOf("Rome"), new Hlc(NOW, 3));
    phone.join(fromB);
    laptop.join(fromA);
    assertThat(Profile.of(phone).get("city")).contains(TextNode.valueOf("Rome"));
    assertThat(Profile.of(laptop).get("city")).contains(TextNode.valueOf("Rome"));
  }

  @Test
  void afterASupersedingWrite_noConflictRemains() {
    Document fromPhone =
        Profile.of(phone).set("phone", "name", TextNode.valueOf("Ada"), new Hlc(NOW, 0));
    Document fromLaptop =
        Profile.of(laptop).set("laptop", "name", TextNode.valueOf("Grace"), new Hlc(NOW + 5, 0));
    phone.join(fromLaptop);
    laptop.join(fromPhone);
    assertThat(Profile.of(phone).conflicts()).hasSize(1);

    Document resolution =
        Profile.of(phone).set("phone", "name", TextNode.valueOf("Ada G."), new Hlc(NOW + 1, 0));
    laptop.join(resolution);

    assertThat(Profile.of(laptop).conflicts()).isEmpty();
    assertThat(Profile.of(laptop).get("name")).contains(TextNode.valueOf("Ada G."));
    assertThat(Profile.of(laptop).fields()).containsOnlyKeys("name");
  }
}
