package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The dots one push was refused for reusing, per document, so that a later changeset of the same
 * push cannot supersede them.
 *
 * <p>A device whose file was restored behind its back reuses dots its discarded future used for
 * other writes; the server refuses those writes as {@code dot_reused}. A later write of the same
 * device that superseded one of them names its dot in its context, and joining it would remove the
 * other write the document holds under that dot: an acknowledged write lost to a change that meant
 * to supersede something else. Such a changeset is refused as {@code dot_reused} too; the device
 * makes both again under fresh dots (docs/reliability.md, bug 5). One instance per push decision;
 * not thread-safe.
 *
 * @param <K> the key of a document
 */
public final class ReusedInPush<K> {

  private final Map<K, Map<Dot, Long>> refused = new HashMap<>();

  /**
   * Records that the changeset {@code seq} of {@code delta} was refused as {@code dot_reused}
   * against {@code stored}: its store dots the document has seen are the ones reused.
   */
  public void refused(K document, long seq, Document delta, Document stored) {
    CausalContext seen = stored.context();
    Map<Dot, Long> dots = refused.computeIfAbsent(document, d -> new HashMap<>());
    delta
        .root()
        .forEachDot(
            dot -> {
              if (seen.contains(dot)) {
                dots.putIfAbsent(dot, seq);
              }
            });
  }

  /**
   * Returns why {@code delta} must be refused: its context names a dot this push was refused for
   * reusing in the same document, beyond the delta's own entries.
   */
  public Optional<Violation> check(K document, Document delta) {
    Map<Dot, Long> dots = refused.get(document);
    if (dots == null || dots.isEmpty()) {
      return Optional.empty();
    }
    Set<Dot> own = new HashSet<>();
    delta.root().forEachDot(own::add);
    List<Dot> named = new ArrayList<>();
    for (Dot dot : dots.keySet()) {
      if (delta.context().contains(dot) && !own.contains(dot)) {
        named.add(dot);
      }
    }
    if (named.isEmpty()) {
      return Optional.empty();
    }
    Dot first = named.get(0);
    return Optional.of(
        new Violation(
            ErrorCode.DOT_REUSED,
            "the context names dot "
                + first
                + ", which change "
                + dots.get(first)
                + " of this push was refused for reusing; a change cannot supersede a refused"
                + " write (the document holds another write under that dot)"));
  }
}
