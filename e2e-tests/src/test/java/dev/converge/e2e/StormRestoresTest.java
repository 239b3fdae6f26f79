package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.e2e.StormCheckers.Tally;
import dev.converge.e2e.StormCheckers.Violation;
import dev.converge.e2e.StormHistory.Acked;
import dev.converge.e2e.StormHistory.AddAtom;
import dev.converge.e2e.StormHistory.Event;
import dev.converge.e2e.StormHistory.Outcome;
import dev.converge.e2e.StormHistory.Read;
import dev.converge.e2e.StormRestores.Restore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The checker rule for a restored file ({@link StormRestores}): a write of the discarded file that
 * the server never acknowledged may be lost; an acknowledged one may not; what the backup held
 * stays required in the restored session's reads, what came after it does not.
 */
class StormRestoresTest {

  private static final String CART = "team/main";

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static Read read(String client, long at, Set<String> atoms) {
    return new Read(client, ms(at), ms(at + 1), CART, atoms, Map.of(), Map.of());
  }

  /**
   * c1 adds s0#0 (acked), is backed up at 10, adds s0#1 (acked) and s0#2 (never), restored at 20.
   */
  private static List<Event> history() {
    List<Event> h = new ArrayList<>();
    h.add(new AddAtom("c1", ms(0), ms(1), Outcome.OK, CART, "s0#0"));
    h.add(new Acked("c1", ms(2), ms(3)));
    h.add(new AddAtom("c1", ms(11), ms(12), Outcome.OK, CART, "s0#1"));
    h.add(new Acked("c1", ms(13), ms(14)));
    h.add(new AddAtom("c1", ms(15), ms(16), Outcome.OK, CART, "s0#2"));
    h.add(read("c1", 17, Set.of("s0#0", "s0#1", "s0#2")));
    return h;
  }

  private static final List<Restore> RESTORE = List.of(new Restore("c1", "c1", ms(10), ms(20)));

  private static List<Violation> writes(List<Event> h, Set<String> end) {
    return StormCheckers.writes(
        StormRestores.forWrites(h, RESTORE),
        Map.of(CART, read("server", 900, end)),
        0,
        new Tally());
  }

  @Test
  void theUnacknowledgedWriteOfTheDiscardedFile_mayBeLost() {
    assertThat(writes(history(), Set.of("s0#0", "s0#1"))).isEmpty();
    assertThat(writes(history(), Set.of("s0#0", "s0#1", "s0#2"))).isEmpty();
  }

  @Test
  void anAcknowledgedWriteOfTheDiscardedFile_mayNot() {
    assertThat(writes(history(), Set.of("s0#0", "s0#2")))
        .extracting(Violation::checker)
        .containsExactly("writes");
    // Without the restore recorded, the unacknowledged one is required too.
    assertThat(
            StormCheckers.writes(
                history(),
                Map.of(CART, read("server", 900, Set.of("s0#0", "s0#1"))),
                0,
                new Tally()))
        .extracting(Violation::checker)
        .containsExactly("writes");
  }

  @Test
  void theRestoredSession_goesBackToTheBackup_andNoFurther() {
    List<Event> back = history();
    back.add(read("c1", 21, Set.of("s0#0")));
    assertThat(StormCheckers.sessions(back, RESTORE)).isEmpty();
    assertThat(StormCheckers.sessions(back)).isNotEmpty();

    List<Event> tooFar = history();
    tooFar.add(read("c1", 21, Set.of()));
    assertThat(StormCheckers.sessions(tooFar, RESTORE))
        .extracting(Violation::checker)
        .containsExactly("sessions");
  }

  @Test
  void aCopiedInstall_startsFromTheSessionItWasCopiedFrom() {
    List<Event> h = history();
    List<Restore> copy = List.of(new Restore("c1c", "c1", ms(14), ms(14)));
    h.add(read("c1c", 30, Set.of("s0#0", "s0#1")));
    assertThat(StormCheckers.sessions(h, copy)).isEmpty();
    h.add(read("c1c", 32, Set.of("s0#1")));
    assertThat(StormCheckers.sessions(h, copy))
        .extracting(Violation::checker)
        .containsExactly("sessions");
  }
}
