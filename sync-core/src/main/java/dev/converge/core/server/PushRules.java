package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The server's rules for a push (DESIGN §4, §7; docs/protocol-2.md "Trust boundary"), I/O-free.
 *
 * <p>A push is handled in three steps, the holder of the data reading and writing in between, all
 * in one transaction:
 *
 * <ol>
 *   <li>{@link #checkShape} before anything is read: not empty, not too many changesets, one
 *       replica, seqs strictly increasing;
 *   <li>{@link #plan} once the replica's record is read (and locked): the replica id belongs to the
 *       token subject, seqs continue the replica's sequence without a gap; says which consumed seqs
 *       it repeats and which documents of which spaces its new changesets touch;
 *   <li>{@link #decide} once those are read (spaces locked in {@link PushPlan#spaces()} order): a
 *       re-pushed changeset is compared over its whole content first, then every new one is checked
 *       against the stored document (space granted, trust boundary) and joined, or consumed as
 *       refused, leaving a context-only entry of its own new dots. The result is every write.
 * </ol>
 *
 * Each changeset's delta is encoded once, canonically: that text is logged, compared with the log
 * on a re-push, and fingerprinted for a refusal.
 *
 * <p>Thread-safe. Its one mutable part is the cache of decoded states ({@link DecodedStates}),
 * which never changes a decision.
 */
public final class PushRules {

  private final ProtocolCodec codec;
  private final ProtocolCodec stored;
  private final DeltaVerifier verifier;
  private final int maxChangesets;
  private final long maxClockOffsetMillis;
  private final LongSupplier clockMillis;
  private final WritePolicy policy;
  private final DecodedStates decoded;

  /**
   * Creates the rules.
   *
   * @param codec the wire codec: encodes logged deltas and states; stored states are decoded with
   *     its {@link ProtocolCodec#forStoredData() stored-data} companion
   * @param maxChangesets the most changesets one push may carry
   * @param maxIncrement the largest absolute amount of one counter increment
   * @param maxClockOffset how far beyond {@code clockMillis} a stamp may be before it is counted as
   *     a future stamp
   * @param clockMillis the server's clock, epoch milliseconds
   * @throws IllegalArgumentException if {@code maxChangesets} or {@code maxIncrement} is below 1
   */
  public PushRules(
      ProtocolCodec codec,
      int maxChangesets,
      long maxIncrement,
      Duration maxClockOffset,
      LongSupplier clockMillis) {
    this(codec, maxChangesets, maxIncrement, maxClockOffset, clockMillis, WritePolicy.none());
  }

  /**
   * Creates the rules with a write policy: field types, document sizes, the space quota and a
   * deployment's check, applied to every new changeset after the trust boundary.
   *
   * @see #PushRules(ProtocolCodec, int, long, Duration, LongSupplier)
   */
  public PushRules(
      ProtocolCodec codec,
      int maxChangesets,
      long maxIncrement,
      Duration maxClockOffset,
      LongSupplier clockMillis,
      WritePolicy policy) {
    this(
        codec,
        maxChangesets,
        maxIncrement,
        maxClockOffset,
        clockMillis,
        policy,
        DecodedStates.none());
  }

  /**
   * Creates the rules with a write policy and a cache of decoded states: a push into a document
   * whose state these rules wrote last joins into the document kept in memory rather than parsing
   * the stored text again.
   *
   * @see #PushRules(ProtocolCodec, int, long, Duration, LongSupplier, WritePolicy)
   */
  public PushRules(
      ProtocolCodec codec,
      int maxChangesets,
      long maxIncrement,
      Duration maxClockOffset,
      LongSupplier clockMillis,
      WritePolicy policy,
      DecodedStates decoded) {
    if (maxChangesets < 1) {
      throw new IllegalArgumentException("maxChangesets < 1: " + maxChangesets);
    }
    this.codec = Objects.requireNonNull(codec, "codec");
    this.stored = codec.forStoredData();
    this.verifier = new DeltaVerifier(maxIncrement);
    this.maxChangesets = maxChangesets;
    this.maxClockOffsetMillis = maxClockOffset.toMillis();
    this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.decoded = Objects.requireNonNull(decoded, "decoded");
  }

  /** Returns the write policy applied after the trust boundary. */
  public WritePolicy policy() {
    return policy;
  }

  /**
   * Checks a push as a whole, before anything is read.
   *
   * @throws PushRefused {@code invalid} if it is empty, mixes replicas, or holds a range whose
   *     {@code toSeq} is below its {@code seq} or that covers more than {@link Changeset#MAX_RANGE}
   *     seqs; {@code too_large} beyond the changeset limit; {@code seq_regression} if its ranges do
   *     not strictly increase (a range overlapping an earlier one included)
   */
  public void checkShape(List<Changeset> changesets) {
    if (changesets.isEmpty()) {
      throw new PushRefused(ErrorCode.INVALID, "push holds no changeset", null);
    }
    if (changesets.size() > maxChangesets) {
      throw new PushRefused(
          ErrorCode.TOO_LARGE,
          "push holds " + changesets.size() + " changesets; the limit is " + maxChangesets,
          null);
    }
    String replicaId = changesets.get(0).replicaId();
    long previous = 0;
    for (Changeset c : changesets) {
      if (!c.replicaId().equals(replicaId)) {
        throw new PushRefused(
            ErrorCode.INVALID,
            "a push carries the changesets of one replica; found '"
                + replicaId
                + "' and '"
                + c.replicaId()
                + "'",
            c.seq());
      }
      if (c.toSeq() < c.seq()) {
        throw new PushRefused(
            ErrorCode.INVALID,
            "toSeq " + c.toSeq() + " is below seq " + c.seq() + "; a range covers seq..toSeq",
            null);
      }
      if (c.toSeq() - c.seq() >= Changeset.MAX_RANGE) {
        throw new PushRefused(
            ErrorCode.INVALID,
            "range "
                + c.seq()
                + ".."
                + c.toSeq()
                + " covers more than "
                + Changeset.MAX_RANGE
                + " seqs",
            null);
      }
      if (c.seq() <= previous) {
        throw new PushRefused(
            ErrorCode.SEQ_REGRESSION,
            "seqs of a push must strictly increase; " + c.seq() + " follows " + previous,
            c.seq());
      }
      previous = c.toSeq();
    }
  }

  /**
   * Plans a push of {@code subject} whose shape passed {@link #checkShape}.
   *
   * @param replica the pushing replica's record, read under its lock (a new replica: last seq 0,
   *     owned by {@code subject})
   * @param granted whether the token grants a space
   * @return what to read before {@link #decide}
   * @throws PushRefused {@code replica_forged} if the replica id belongs to another subject, {@code
   *     seq_gap} if a new seq skips numbers
   */
  public PushPlan plan(
      String subject, Replica replica, List<Changeset> changesets, Predicate<String> granted) {
    return planWithRoles(
        subject, replica, changesets, space -> granted.test(space) ? SpaceRole.WRITE : null);
  }

  /**
   * Plans a push of {@code subject} whose shape passed {@link #checkShape}, with a role per space:
   * the changesets into a space granted for reading only are read like any other (their refusal
   * leaves a context-only entry, so the pusher's device drops the refused value), then refused with
   * {@code read_only}.
   *
   * @param roles the token's role in a space, or null where it grants none
   * @see #plan(String, Replica, List, Predicate)
   */
  public PushPlan planWithRoles(
      String subject,
      Replica replica,
      List<Changeset> changesets,
      Function<String, SpaceRole> roles) {
    if (!replica.ownerSubject().equals(subject)) {
      throw new PushRefused(
          ErrorCode.REPLICA_FORGED,
          "replica id '"
              + replica.replicaId()
              + "' belongs to another user; generate a new replica id",
          null);
    }
    List<Changeset> repeated = new ArrayList<>();
    List<Changeset> fresh = new ArrayList<>();
    for (Changeset c : changesets) {
      if (c.seq() <= replica.lastSeq() && c.toSeq() > replica.lastSeq()) {
        // Half consumed: no honest device re-sends a range other than the one it sent first.
        throw new PushRefused(
            ErrorCode.SEQ_REGRESSION,
            "range "
                + c.seq()
                + ".."
                + c.toSeq()
                + " of replica '"
                + replica.replicaId()
                + "' overlaps the consumed seqs up to "
                + replica.lastSeq()
                + "; a sent range is never re-cut",
            c.seq());
      }
      (c.seq() <= replica.lastSeq() ? repeated : fresh).add(c);
    }
    long expected = replica.lastSeq() + 1;
    for (Changeset c : fresh) {
      if (c.seq() != expected) {
        throw new PushRefused(
            ErrorCode.SEQ_GAP,
            "seq "
                + c.seq()
                + " of replica '"
                + replica.replicaId()
                + "' skips "
                + expected
                + (expected == c.seq() - 1 ? "" : ".." + (c.seq() - 1))
                + "; push from "
                + expected,
            c.seq());
      }
      expected = c.toSeq() + 1;
    }
    Map<String, List<Changeset>> bySpace = new TreeMap<>();
    List<Changeset> forbidden = new ArrayList<>();
    Set<String> readOnly = new TreeSet<>();
    for (Changeset c : fresh) {
      SpaceRole role = roles.apply(c.space());
      if (role == SpaceRole.READ) {
        readOnly.add(c.space());
      }
      if (role != null) {
        bySpace.computeIfAbsent(c.space(), s -> new ArrayList<>()).add(c);
      } else {
        // Consumed and reported, so one change for a space the user lost never stalls the
        // replica's queue; the message is the same whether the space exists or not.
        forbidden.add(c);
      }
    }
    return new PushPlan(replica, changesets, repeated, forbidden, bySpace, readOnly);
  }

  /**
   * Decides a planned push.
   *
   * @param lineage the pushing replica and the predecessors it declared
   * @param logged the log entries of this replica that {@link PushPlan#overlapsRepeated overlap}
   *     the repeated seqs, as far as the retained log still holds them; at most {@link
   *     PushPlan#repeatedCount()} + 1 of them are needed (more than that count is refused anyway)
   * @param refused the refusal records of this replica at those seqs
   * @param spaces what was read of each of {@link PushPlan#spaces()}, under its lock
   * @return every write of the push, and what the pusher is told
   * @throws PushRefused {@code seq_regression} if a re-pushed seq carries other content or another
   *     range than what was consumed under it
   */
  public PushDecision decide(
      PushPlan plan,
      Lineage lineage,
      List<LogEntry> logged,
      List<RefusalRecord> refused,
      Map<String, SpaceState> spaces) {
    return new Decision(this, plan, lineage).run(logged, refused, spaces);
  }

  /** Returns the codec that encodes logged deltas and states. */
  ProtocolCodec codec() {
    return codec;
  }

  /**
   * Returns the document stored as {@code json}: the one kept in memory if it was encoded to
   * exactly that text, else decoded (stored data: never held to the input limits). The caller owns
   * it until it hands it back with {@link #keepDecoded}.
   */
  Document decodeStored(DocumentRef ref, String json) {
    Document kept = decoded.take(ref, json);
    return kept != null ? kept : stored.decodeDocument(json);
  }

  /**
   * Hands back {@code document}, as encoded to {@code json}, for the next push into {@code ref}.
   */
  void keepDecoded(DocumentRef ref, String json, Document document) {
    decoded.keep(ref, json, document);
  }

  /**
   * Returns whether {@code changeset} is stamped beyond the server's clock plus the allowed offset:
   * counted, not refused (the devices' clocks bound what they adopt).
   */
  boolean stampedBeyondHorizon(Changeset changeset) {
    long horizon = clockMillis.getAsLong() + maxClockOffsetMillis;
    return changeset.hlc().millis() > horizon || changeset.delta().maxHlc().millis() > horizon;
  }

  /** Returns the first trust rule {@code changeset} breaks against {@code stored}, or empty. */
  Optional<Violation> verify(Document stored, Changeset changeset, Lineage lineage) {
    // A succeeded replica's pushes may repeat what a copy of its database delivered: as resent.
    return verifier.verify(
        stored, changeset.delta(), lineage, changeset.resend() || lineage.succeeded());
  }

  /**
   * Returns the canonical encoding of a changeset's delta: equal deltas encode to equal text. Each
   * changeset needs it at most once per push (logged, compared, or fingerprinted).
   */
  String canonical(Changeset changeset) {
    return codec.encodeDocument(changeset.delta());
  }
}
