package dev.converge.server.sync;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.Payload;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.LoggedChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Delta-groups (DESIGN §3): within one {@code changes} page, the changes of one document are joined
 * into a single item covering {@code fromSeq..serverSeq}. A client catching up then applies about
 * one delta per document instead of every change; joining is idempotent, so a group that includes
 * the client's own changes is harmless. Pages with one change per document are sent as they are,
 * their logged deltas spliced in without being decoded.
 */
final class DeltaGroups {
  private DeltaGroups() {}

  static List<MessageParts.ChangeItem> group(List<LoggedChange> page, ProtocolCodec codec) {
    Map<String, List<LoggedChange>> byDoc = new LinkedHashMap<>();
    for (LoggedChange change : page) {
      byDoc
          .computeIfAbsent(change.collection() + "\u0000" + change.docId(), k -> new ArrayList<>())
          .add(change);
    }
    List<MessageParts.ChangeItem> items = new ArrayList<>(byDoc.size());
    if (byDoc.size() == page.size()) {
      page.forEach(change -> items.add(item(change)));
      return items;
    }
    for (List<LoggedChange> changes : byDoc.values()) {
      if (changes.size() == 1) {
        items.add(item(changes.get(0)));
        continue;
      }
      Document joined = new Document();
      for (LoggedChange change : changes) {
        // Logged deltas are stored data: a delta-group joins them and never meets the input limits.
        joined.join(codec.forStoredData().decodeDocument(change.deltaJson()));
      }
      LoggedChange first = changes.get(0);
      LoggedChange last = changes.get(changes.size() - 1);
      items.add(
          new MessageParts.ChangeItem(
              last.serverSeq(), first.serverSeq(), last.collection(), last.docId(), joined, null));
    }
    items.sort((a, b) -> Long.compare(a.serverSeq(), b.serverSeq()));
    return items;
  }

  private static MessageParts.ChangeItem item(LoggedChange change) {
    return new MessageParts.ChangeItem(
        change.serverSeq(),
        change.collection(),
        change.docId(),
        Payload.text(change.deltaJson()),
        new MessageParts.Origin(change.replicaId(), change.seq()));
  }
}
