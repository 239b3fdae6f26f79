package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Encoded;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.internal.store.OutboxRow;
import dev.converge.sdk.internal.store.PushLimits;
import dev.converge.sdk.internal.store.Store;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push half of a session: sends the outbox in seq order, one push at a time, and gives every
 * answer to a push exactly one meaning, so the queue never stalls and never loops (DESIGN §5):
 *
 * <ul>
 *   <li>{@code error{ref}} with a {@link ErrorCode.Handling#CONSUMED consuming} code, then an
 *       {@code ack} covering {@code ref}: the server consumed the change without applying it; it is
 *       quarantined when the ack arrives.
 *   <li>{@link ErrorCode#TOO_LARGE} for the whole push (or close {@link CloseCode#TOO_BIG}): the
 *       batch is halved and sent again; a single change the server cannot take is unsendable.
 *   <li>any other error: the push failed as a whole; it is held until the machine's retry (a
 *       re-push of applied seqs is acked again and changes nothing, so a retry never
 *       double-counts).
 * </ul>
 *
 * <p>An unsendable row (beyond the protocol's limits, so it would fail every time) is moved to the
 * rejected changes and an empty change takes its seq, so the seqs behind it stay contiguous.
 *
 * <p>Not thread-safe: owned by the {@link SyncMachine}.
 */
final class PushWindow {

  private static final Logger LOG = LoggerFactory.getLogger(PushWindow.class);

  /** What the window needs from its machine. */
  interface Host {
    /** Whether a welcomed session can carry a push now. */
    boolean sessionReady();

    /** Local changes were quarantined (committed just now). */
    void rejected(List<RejectedChange> rejected);

    /** The stable points to send with the next push (recorded as reported). */
    List<MessageParts.SpaceStable> stableToReport();

    /** The push that carried {@code points} failed as a whole: they must be told again. */
    void stableNotDelivered(List<MessageParts.SpaceStable> points);
  }

  /** What an error meant for the push in flight. */
  enum Verdict {
    /** No push was in flight, or the error is not about pushes: the machine decides. */
    NOT_A_PUSH_ERROR,
    /** A consumed change: quarantined once the ack covering it arrives. */
    REJECTION_PENDING,
    /** The push was too large: a smaller one can be sent at once. */
    SHRUNK,
    /** The push failed as a whole: held until {@link #release()}. */
    FAILED
  }

  private final Store store;
  private final PushLimits limits;
  private final int maxBatch;
  private final Effects effects;
  private final Host host;
  private final TreeMap<Long, Message.Error> pendingRejections = new TreeMap<>();

  private boolean inFlight;
  private List<MessageParts.SpaceStable> inFlightStable = List.of();
  private boolean held;
  private long firstSentSeq;
  private long lastSentSeq;
  private int sentCount;
  private int batchLimit;
  private boolean oneSpace;
  private boolean refusalsInLastAck;
  private String sentSpace;

  PushWindow(Store store, PushLimits limits, int maxBatch, Effects effects, Host host) {
    this.store = store;
    this.limits = limits;
    this.maxBatch = maxBatch;
    this.effects = effects;
    this.host = host;
    this.batchLimit = maxBatch;
  }

  /** Whether a push awaits its answer. */
  boolean inFlight() {
    return inFlight;
  }

  /** The most changes the next push carries (halved after a push too large, doubled on acks). */
  int batchLimit() {
    return batchLimit;
  }

  /**
   * Forgets the session's push: the next session starts again from the first unacknowledged row.
   */
  void sessionEnded(int closeCode) {
    if (inFlight && closeCode == CloseCode.TOO_BIG.code()) {
      shrink("the server closed the session: push frame too big (" + closeCode + ")");
    }
    inFlight = false;
    inFlightStable = List.of();
    held = false;
    lastSentSeq = 0;
    pendingRejections.clear();
  }

  /**
   * Whether each push holds the changes of one space only (the first row's), so that a push the
   * server refuses as a whole names its space; off again once an ack makes progress.
   */
  void oneSpacePerPush(boolean on) {
    oneSpace = on;
  }

  /**
   * The space of the last push sent, or null if it held changes of several spaces: after a push
   * failed as a whole, the space it was refused for when it held one.
   */
  String sentSpace() {
    return sentSpace;
  }

  /** Ends the hold after a failed push: the next {@link #pushMore()} sends again. */
  void release() {
    held = false;
  }

  /** Sends the next batch of the outbox, unless a push is in flight or held. */
  void pushMore() {
    if (inFlight || held || !host.sessionReady()) {
      return;
    }
    List<OutboxRow> rows = batch();
    if (rows.isEmpty()) {
      return;
    }
    // The stable points that rose since last told ride along (docs/protocol-2.md, "Stable points").
    inFlightStable = host.stableToReport();
    // The rows' push-ready texts are spliced into the frame: encoded at the write, never again.
    effects.emit(
        new Action.SendEncoded(
            new Encoded.Push(
                rows.stream()
                    .map(OutboxRow::changesetJson)
                    .collect(
                        Collectors.collectingAndThen(
                            Collectors.toList(), Collections::unmodifiableList)),
                inFlightStable)));
    inFlight = true;
    firstSentSeq = rows.get(0).seq();
    lastSentSeq = rows.get(rows.size() - 1).toSeq();
    sentCount = rows.size();
    sentSpace = rows.get(0).key().space();
    for (OutboxRow row : rows) {
      if (!row.key().space().equals(sentSpace)) {
        sentSpace = null;
      }
    }
  }

  /** The next rows, within the batch limit and one push's size; unsendable rows replaced. */
  private List<OutboxRow> batch() {
    // Each pass replaces at most one unsendable row with an empty change, which is sendable:
    // bounded.
    while (true) {
      List<OutboxRow> rows = new ArrayList<>();
      long chars = PushLimits.ENVELOPE_CHARS;
      boolean replaced = false;
      for (OutboxRow row : store.pushBatch(lastSentSeq, batchLimit)) {
        int size;
        try {
          size = limits.check(row.changesetJson());
        } catch (IllegalArgumentException e) {
          unsendable(row.seq(), e.getMessage());
          replaced = true;
          break;
        }
        if (!rows.isEmpty() && chars + size + 1 > limits.maxPushChars()) {
          break;
        }
        if (oneSpace && !rows.isEmpty() && !row.key().space().equals(rows.get(0).key().space())) {
          break;
        }
        chars += size + 1;
        rows.add(row);
      }
      if (!replaced) {
        return rows;
      }
    }
  }

  /**
   * Takes an ack: quarantines the consumed changes it covers, then deletes the acknowledged rows.
   *
   * @return whether it made progress (rows left the outbox)
   */
  boolean onAck(Message.Ack ack) {
    long upTo = ack.upToSeq();
    List<RejectedChange> quarantined = new ArrayList<>();
    // Before the ack deletes their rows: the consumed changes move to the rejected ones.
    Map<Long, Message.Error> covered = pendingRejections.headMap(upTo, true);
    refusalsInLastAck = !covered.isEmpty();
    for (Message.Error error : covered.values()) {
      store.quarantine(error.ref(), error.code(), error.message()).ifPresent(quarantined::add);
      LOG.warn("server rejected change {} ({}): {}", error.ref(), error.code(), error.message());
    }
    covered.clear();
    if (!quarantined.isEmpty()) {
      host.rejected(quarantined);
    }
    int deleted = store.ack(upTo);
    if (inFlight && upTo >= lastSentSeq) {
      inFlight = false;
      inFlightStable = List.of();
    }
    boolean progress = deleted > 0 || !quarantined.isEmpty();
    if (progress) {
      batchLimit = Math.min(maxBatch, batchLimit * 2);
      oneSpace = false;
    }
    return progress;
  }

  /**
   * Whether the last {@link #onAck} covered refused changes: reported, or made again under fresh
   * dots; either way their documents wait for a re-read.
   */
  boolean refusalsInLastAck() {
    return refusalsInLastAck;
  }

  /** Classifies an error the server sent while a push may be in flight. */
  Verdict onError(Message.Error error) {
    if (!inFlight) {
      return Verdict.NOT_A_PUSH_ERROR;
    }
    Long ref = error.ref();
    if (ref != null
        && error.handling() == ErrorCode.Handling.CONSUMED
        && ref >= firstSentSeq
        && ref <= lastSentSeq) {
      pendingRejections.put(ref, error);
      return Verdict.REJECTION_PENDING;
    }
    inFlight = false;
    lastSentSeq = 0;
    pendingRejections.clear();
    host.stableNotDelivered(inFlightStable);
    inFlightStable = List.of();
    if (error.knownCode().orElse(null) == ErrorCode.TOO_LARGE && ref == null) {
      shrink("the server refused the push as too large: " + error.message());
      return Verdict.SHRUNK;
    }
    held = true;
    return Verdict.FAILED;
  }

  /** Halves the batch after a push too large for the server; one change alone is unsendable. */
  private void shrink(String why) {
    if (sentCount > 1) {
      batchLimit = Math.max(1, sentCount / 2);
      LOG.info("{}; pushing at most {} changes at a time", why, batchLimit);
    } else {
      unsendable(firstSentSeq, why);
    }
  }

  private void unsendable(long seq, String why) {
    LOG.warn("local change {} can never be sent ({}); moved to the rejected changes", seq, why);
    store
        .replaceUnsendable(seq, ErrorCode.TOO_LARGE.wire(), why)
        .ifPresent(r -> host.rejected(List.of(r)));
  }
}
