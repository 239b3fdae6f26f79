package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A write re-issued under fresh dots after its file was restored behind the device's back: the
 * user's write lands with the meaning it had, and the other life's writes under the same dots stay.
 */
class ReissueTest {

  private static final String OLD = "d5.1.4c";
  private static final String NEW = "d5.2.9a";
  private static final Predicate<String> OLD_ID = OLD::equals;
  private static final List<String> S4 = List.of("items", "s4", "qty");
  private static final List<String> S9 = List.of("items", "s9", "qty");

  @Test
  void aRefusedIncrement_landsBesideTheOtherLifesWriteUnderTheSameDot() {
    Document backup = new Document();
    backup.addToCounter(OLD, List.of("items", "s1", "qty"), 2);
    // The discarded future: it used dot 2 for s9, and the server holds it.
    Document server = backup.copy();
    server.addToCounter(OLD, S9, 5);
    // The restored file makes its own dot 2, for s4: refused as dot_reused.
    Document device = backup.copy();
    Document refused = device.addToCounter(OLD, S4, 1);
    assertThat(dots(refused)).containsExactly(new Dot(OLD, 2));

    Reissue.Result result =
        Reissue.of(refused, OLD_ID, Set.of(), NEW, device.context()).orElseThrow();

    assertThat(result.reissued()).isEqualTo(1);
    assertThat(dots(result.pushed())).containsExactly(new Dot(NEW, 1));
    assertThat(result.pushed().context()).isEqualTo(CausalContext.of(List.of(new Dot(NEW, 1))));
    Document merged = Document.joined(server, result.pushed());
    assertThat(counter(merged, S9)).isEqualTo(5);
    assertThat(counter(merged, S4)).isEqualTo(1);
    assertThat(counter(merged, List.of("items", "s1", "qty"))).isEqualTo(2);
    // The device reads what it read before, now under the fresh dot.
    Document local = Document.joined(device, result.local());
    assertThat(counter(local, S4)).isEqualTo(1);
    assertThat(local.get(S4, CounterValue.class).orElseThrow().entries().keySet())
        .containsExactly(new Dot(NEW, 1));
  }

  @Test
  void aRegisterValue_keepsTheTimestampItWasWrittenAt() {
    Document device = new Document();
    Hlc written = new Hlc(1_000, 3);
    Document refused =
        device.writeRegister(
            OLD, List.of("name"), JsonNodeFactory.instance.textNode("Ada"), written);

    Document pushed =
        Reissue.of(refused, OLD_ID, Set.of(), NEW, device.context()).orElseThrow().pushed();

    Versioned value =
        pushed.get(List.of("name"), RegisterValue.class).orElseThrow().winner().orElseThrow();
    assertThat(value.hlc()).isEqualTo(written);
    assertThat(value.dot()).isEqualTo(new Dot(NEW, 1));
    assertThat(value.value().asText()).isEqualTo("Ada");
  }

  @Test
  void anEntryALaterWriteSuperseded_isLeftOut_andStillDroppedFromTheContext() {
    Document device = new Document();
    Document refused =
        device.writeRegister(OLD, List.of("name"), JsonNodeFactory.instance.textNode("A"), hlc(1));
    Dot stale = new Dot(OLD, 1);

    Reissue.Result result =
        Reissue.of(refused, OLD_ID, Set.of(stale), NEW, device.context()).orElseThrow();

    assertThat(result.reissued()).isZero();
    assertThat(result.left()).isEqualTo(1);
    assertThat(result.pushed().isEmpty()).isTrue();
  }

  @Test
  void whatTheWriteRemovedOfOtherReplicas_staysRemoved() {
    Document device = new Document();
    device.addToSet("d7.1.aa", List.of("tags"), "red");
    Document refused = device.removeFromSet(List.of("tags"), "red");
    refused.join(device.addToSet(OLD, List.of("tags"), "blue"));

    Document pushed =
        Reissue.of(refused, OLD_ID, Set.of(), NEW, device.context()).orElseThrow().pushed();

    Document other = new Document();
    other.addToSet("d7.1.aa", List.of("tags"), "red");
    Document merged = Document.joined(other, pushed);
    assertThat(merged.get(List.of("tags"), SetValue.class).orElseThrow().elements())
        .containsExactly("blue");
  }

  @Test
  void aRemoveOfAnEntryOfTheRetiredId_isNotMadeAgain() {
    Document device = new Document();
    device.addToSet(OLD, List.of("tags"), "red");
    Document refused = device.removeFromSet(List.of("tags"), "red");
    refused.join(device.addToSet(OLD, List.of("tags"), "blue"));

    Document pushed =
        Reissue.of(refused, OLD_ID, Set.of(), NEW, device.context()).orElseThrow().pushed();

    // The cost of never naming a retired dot: the server may hold another write under it.
    Document server = new Document();
    server.addToSet(OLD, List.of("tags"), "red");
    assertThat(
            Document.joined(server, pushed)
                .get(List.of("tags"), SetValue.class)
                .orElseThrow()
                .elements())
        .containsExactly("blue", "red");
  }

  @Test
  void aLaterWriteRefusedBecauseItSupersededAReusedDot_isMadeAgainWithoutNamingIt() {
    Document device = new Document();
    device.writeRegister(OLD, List.of("name"), JsonNodeFactory.instance.textNode("A"), hlc(1));
    // Made under the new id after the re-key, superseding the refused write under the old one.
    Document later =
        device.writeRegister(NEW, List.of("name"), JsonNodeFactory.instance.textNode("B"), hlc(2));
    assertThat(later.context().contains(OLD, 1)).isTrue();

    Document pushed =
        Reissue.of(later, OLD_ID, Set.of(), NEW, device.context()).orElseThrow().pushed();

    assertThat(pushed.context().replicas()).containsExactly(NEW);
    assertThat(dots(pushed)).containsExactly(new Dot(NEW, 2));
    Document server = new Document();
    server.addToCounter(OLD, List.of("visits"), 4);
    Document merged = Document.joined(server, pushed);
    assertThat(counter(merged, List.of("visits"))).isEqualTo(4);
    assertThat(
            merged
                .get(List.of("name"), RegisterValue.class)
                .orElseThrow()
                .value()
                .orElseThrow()
                .asText())
        .isEqualTo("B");
  }

  @Test
  void aCounterRun_getsAsManyFreshDotsAsItSpans_withItsSum() {
    CounterValue counter = new CounterValue();
    counter.put(new CounterEntry(new Dot(OLD, 4), 2, 9));
    MapValue root = new MapValue();
    root.put("n", counter);
    CausalContext context = new CausalContext();
    for (long c = 2; c <= 4; c++) {
      context.add(OLD, c);
    }
    Document refused = new Document(root, context);
    Document device = new Document();
    device.addToCounter(NEW, List.of("m"), 1);

    Document pushed =
        Reissue.of(refused, OLD_ID, Set.of(), NEW, device.context()).orElseThrow().pushed();

    CounterEntry run =
        pushed.get(List.of("n"), CounterValue.class).orElseThrow().entries().values().stream()
            .findFirst()
            .orElseThrow();
    assertThat(run).isEqualTo(new CounterEntry(new Dot(NEW, 4), 2, 9));
    assertThat(pushed.context().coversRange(NEW, 2, 4)).isTrue();
    assertThat(pushed.context().contains(OLD, 2)).isFalse();
    assertThat(pushed.context().contains(OLD, 4)).isFalse();
  }

  @Test
  void aContextTooLargeToRebuild_isNotReissued() {
    CausalContext context = new CausalContext();
    context.addPrefix(OLD, Reissue.MAX_REBUILT_DOTS + 10);

    assertThat(Reissue.without(context, List.of(new Dot(OLD, 5)))).isEmpty();
    Optional<CausalContext> near = Reissue.without(context, List.of(new Dot(OLD, 20)));
    assertThat(near).isPresent();
    assertThat(near.get().contains(OLD, 20)).isFalse();
    assertThat(near.get().coversRange(OLD, 21, Reissue.MAX_REBUILT_DOTS + 10)).isTrue();
    assertThat(near.get().coversRange(OLD, 1, 19)).isTrue();
  }

  /**
   * Over random histories: a backup, a discarded future and a restored file that each write as the
   * same id. The file's writes since the backup, re-issued, never touch an entry of the discarded
   * future on the server, carry no dot of the retired id, read on the device exactly as before, and
   * read on a fresh replica exactly as the refused write did.
   */
  @Test
  void reissuedWrites_keepTheirMeaning_andNeverTouchTheOtherLife() {
    qt().withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              Document backup = new Document();
              int tick = 1;
              for (int i = random.nextInt(6); i > 0; i--) {
                RandomMutations.apply(backup, OLD, random, hlc(tick++));
              }
              long fork = backup.context().max(OLD);
              Document server = backup.copy();
              for (int i = 1 + random.nextInt(6); i > 0; i--) {
                RandomMutations.apply(server, OLD, random, hlc(tick++));
              }
              Document device = backup.copy();
              Document refused = new Document();
              for (int i = 1 + random.nextInt(6); i > 0; i--) {
                refused.join(RandomMutations.apply(device, OLD, random, hlc(tick++)));
              }
              Predicate<Dot> sinceTheBackup =
                  dot -> dot.replica().equals(OLD) && dot.counter() > fork;
              Reissue.Result result =
                  Reissue.of(refused, OLD_ID, Set.of(), NEW, device.context()).orElseThrow();

              assertThat(dots(result.pushed())).allMatch(dot -> dot.replica().equals(NEW));
              assertThat(result.pushed().context().replicas()).doesNotContain(OLD);
              Document merged = Document.joined(server, result.pushed());
              List<Dot> otherLife = new ArrayList<>(dots(server));
              otherLife.removeIf(dot -> !sinceTheBackup.test(dot));
              assertThat(dots(merged)).containsAll(otherLife);
              assertThat(DocumentReads.plain(Document.joined(device, result.local()).root()))
                  .isEqualTo(DocumentReads.plain(device.root()));
              assertThat(DocumentReads.plain(result.pushed().root()))
                  .isEqualTo(DocumentReads.plain(refused.root()));
            });
  }

  private static List<Dot> dots(Document doc) {
    List<Dot> dots = new ArrayList<>();
    doc.root().forEachDot(dots::add);
    return dots;
  }

  private static long counter(Document doc, List<String> path) {
    return doc.get(path, CounterValue.class).map(CounterValue::value).orElse(0L);
  }

  private static Hlc hlc(int tick) {
    return new Hlc(1_000L * tick, 0);
  }
}
