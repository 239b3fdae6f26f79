package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared {@code changes} frames: built once per page, bounded, the same text for all. */
class PageFramesTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final long SHARE = 2 * 1024 * 1024;

  /** {@code count} changes after {@code from}, alternating between two documents. */
  private static List<LoggedChange> page(long from, int count) {
    List<LoggedChange> items = new ArrayList<>();
    Document[] carts = {new Document(), new Document()};
    for (int i = 0; i < count; i++) {
      long serverSeq = from + 1 + i;
      int doc = i % 2;
      Document delta = Cart.of(carts[doc]).add("r" + doc, "sku-" + serverSeq, 1);
      items.add(
          new LoggedChange(
              serverSeq,
              "carts",
              "cart-" + doc,
              "r" + doc,
              serverSeq,
              CODEC.encodeDocument(delta),
              1_000L));
    }
    return items;
  }

  @Test
  void twoSessionsAtTheSameCursor_getTheSameTextBuiltOnce() {
    PageFrames frames = new PageFrames(CODEC);
    List<LoggedChange> items = page(10, 6);

    // Each session read its own copy of the page from the log cache.
    PageFrames.Page first = frames.page("s", 10, List.copyOf(items), false, SHARE);
    PageFrames.Page second = frames.page("s", 10, List.copyOf(items), false, SHARE);

    assertThat(frames.builds()).isEqualTo(1);
    assertThat(second.text()).isSameAs(first.text());
    assertThat(first.count()).isEqualTo(6);
    assertThat(first.to()).isEqualTo(16);
    assertThat(first.more()).isFalse();
    // What a session would have built for itself: two delta-groups, one per document.
    Message.Changes changes = (Message.Changes) CODEC.decode(first.text());
    assertThat(changes.space()).isEqualTo("s");
    assertThat(changes.from()).isEqualTo(10);
    assertThat(changes.to()).isEqualTo(16);
    assertThat(changes.items()).hasSize(2);
    assertThat(changes.items())
        .extracting(MessageParts.ChangeItem::serverSeq)
        .containsExactly(15L, 16L);
  }

  @Test
  void otherSpaceCursorOrEnd_isAnotherFrame() {
    PageFrames frames = new PageFrames(CODEC);
    List<LoggedChange> items = page(10, 4);

    PageFrames.Page own = frames.page("s", 10, items, false, SHARE);
    PageFrames.Page other = frames.page("t", 10, items, false, SHARE);
    PageFrames.Page shorter = frames.page("s", 10, items.subList(0, 3), false, SHARE);
    PageFrames.Page withMore = frames.page("s", 10, items, true, SHARE);

    assertThat(frames.builds()).isEqualTo(4);
    assertThat(((Message.Changes) CODEC.decode(other.text())).space()).isEqualTo("t");
    assertThat(own.text()).isNotEqualTo(other.text());
    assertThat(shorter.to()).isEqualTo(13);
    assertThat(withMore.more()).isTrue();
  }

  @Test
  void aPageBiggerThanTheShare_goesOutInHalves() {
    PageFrames frames = new PageFrames(CODEC);
    List<LoggedChange> items = page(0, 8);
    long whole = Outbound.sizeOf(frames.page("s", 0, items, false, SHARE).text());

    PageFrames.Page cut = frames.page("s", 0, items, false, whole - 1);

    assertThat(cut.count()).isLessThan(8);
    assertThat(cut.more()).isTrue();
    assertThat(cut.to()).isEqualTo(cut.count());
    assertThat(Outbound.sizeOf(cut.text())).isLessThanOrEqualTo(whole - 1);
    Message.Changes changes = (Message.Changes) CODEC.decode(cut.text());
    assertThat(changes.to()).isEqualTo(cut.to());
    assertThat(changes.more()).isTrue();
  }

  @Test
  void keepsAtMostMaxEntries_leastRecentlyUsedGoesFirst() {
    PageFrames frames = new PageFrames(CODEC, 3, Long.MAX_VALUE);
    List<LoggedChange> items = page(0, 2);
    for (String space : List.of("a", "b", "c")) {
      frames.page(space, 0, items, false, SHARE);
    }
    frames.page("a", 0, items, false, SHARE); // a is now the most recent
    frames.page("d", 0, items, false, SHARE); // b goes

    assertThat(frames.size()).isEqualTo(3);
    assertThat(frames.builds()).isEqualTo(4);
    frames.page("a", 0, items, false, SHARE);
    assertThat(frames.builds()).isEqualTo(4);
    frames.page("b", 0, items, false, SHARE);
    assertThat(frames.builds()).isEqualTo(5);
    assertThat(frames.size()).isEqualTo(3);
  }

  @Test
  void keepsAtMostMaxChars_andDoesNotKeepAFrameBiggerThanThem() {
    List<LoggedChange> items = page(0, 2);
    int one = new PageFrames(CODEC).page("a", 0, items, false, SHARE).text().length();
    PageFrames frames = new PageFrames(CODEC, 100, 2L * one + one / 2);

    for (String space : List.of("a", "b", "c", "d")) {
      frames.page(space, 0, items, false, SHARE);
      assertThat(frames.chars()).isLessThanOrEqualTo(2L * one + one / 2);
    }
    assertThat(frames.size()).isEqualTo(2);
    assertThat(frames.chars()).isEqualTo(2L * one);

    List<LoggedChange> big = page(0, 40);
    PageFrames.Page huge = frames.page("big", 0, big, false, SHARE);
    assertThat(huge.count()).isEqualTo(40);
    assertThat(huge.text().length()).isGreaterThan(3 * one);
    // Returned, not kept; what was kept stays.
    assertThat(frames.size()).isEqualTo(2);
    assertThat(frames.chars()).isEqualTo(2L * one);
  }

  @Test
  void concurrentSessions_waitForOneBuild() throws Exception {
    PageFrames frames = new PageFrames(CODEC);
    List<LoggedChange> items = page(0, 200);
    int sessions = 8;
    CyclicBarrier start = new CyclicBarrier(sessions);
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    try {
      List<Future<String>> texts = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        texts.add(
            pool.submit(
                () -> {
                  start.await();
                  return frames.page("s", 0, List.copyOf(items), false, SHARE).text();
                }));
      }
      String first = texts.get(0).get();
      for (Future<String> text : texts) {
        assertThat(text.get()).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(frames.builds()).isEqualTo(1);
  }
}
