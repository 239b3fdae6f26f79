package dev.converge.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.Document;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Decodes protocol messages from a parsed tree, checking every field. */
final class MessageReader extends TreeReader {

  private final ProtocolCodec codec;

  MessageReader(ProtocolCodec codec, CodecLimits limits) {
    super(limits);
    this.codec = codec;
  }

  Message message(JsonNode node) {
    String path = "$";
    JsonNode object = object(node, path);
    String type = requiredText(object, "type", path);
    return switch (type) {
      case "hello" ->
          new Message.Hello(
              (int) Math.min(Integer.MAX_VALUE, requiredInteger(object, "protocol", path, 1)),
              replicaId(required(object, "replicaId", path), field(path, "replicaId")),
              list(object, "subscriptions", path, this::subscription),
              optionalReplicaId(object, "predecessor", path),
              lineage(object, path));
      case "welcome" ->
          new Message.Welcome(
              requiredText(object, "serverId", path),
              (int) Math.min(Integer.MAX_VALUE, requiredInteger(object, "protocol", path, 1)),
              requiredInteger(object, "tokenExpiresAt", path, 0),
              list(object, "spaces", path, this::spaceHead));
      case "push" ->
          new Message.Push(
              list(object, "changesets", path, this::changeset), stablePoints(object, path));
      case "ack" ->
          new Message.Ack(
              replicaId(required(object, "replicaId", path), field(path, "replicaId")),
              requiredInteger(object, "upToSeq", path, 0),
              list(object, "results", path, this::ackResult));
      case "changes" ->
          new Message.Changes(
              requiredId(object, "space", path),
              requiredInteger(object, "from", path, 0),
              requiredInteger(object, "to", path, 0),
              list(object, "items", path, this::changeItem),
              optionalBoolean(object, "more", path),
              optionalEpoch(object, "epoch", path));
      case "snapshot" ->
          new Message.Snapshot(
              requiredId(object, "space", path),
              requiredInteger(object, "head", path, 0),
              list(object, "docs", path, this::snapshotDoc),
              optionalBoolean(object, "more", path),
              optionalEpoch(object, "epoch", path));
      case "auth" -> new Message.Auth(requiredText(object, "token", path));
      case "authed" -> new Message.Authed(requiredInteger(object, "tokenExpiresAt", path, 0));
      case "revoked" -> new Message.Revoked(requiredId(object, "space", path));
      case "sync" ->
          new Message.Sync(requiredInteger(object, "ref", path, 0), stablePoints(object, path));
      case "synced" ->
          new Message.Synced(
              requiredInteger(object, "ref", path, 0),
              list(object, "spaces", path, this::spaceHead));
      case "fetch" ->
          new Message.Fetch(
              requiredInteger(object, "ref", path, 0),
              requiredId(object, "space", path),
              docNames(object, path));
      case "docs" ->
          new Message.Docs(
              requiredInteger(object, "ref", path, 0),
              requiredId(object, "space", path),
              requiredInteger(object, "head", path, 0),
              list(object, "docs", path, this::snapshotDoc));
      case "subscribe" ->
          new Message.Subscribe(
              distinctSpaces(
                  list(object, "subscriptions", path, this::subscription),
                  MessageParts.Subscription::space,
                  field(path, "subscriptions")));
      case "subscribed" -> new Message.Subscribed(list(object, "spaces", path, this::spaceHead));
      case "unsubscribe" ->
          new Message.Unsubscribe(
              distinctSpaces(
                  list(object, "spaces", path, (n, p) -> checkId(text(n, p), p)),
                  s -> s,
                  field(path, "spaces")));
      case "unsubscribed" ->
          new Message.Unsubscribed(list(object, "spaces", path, (n, p) -> checkId(text(n, p), p)));
      case "digest" -> new DigestReader(this).digest(object, path);
      case "digests" -> new DigestReader(this).digests(object, path);
      case "error" -> {
        JsonNode ref = object.get("ref");
        JsonNode retryAfter = object.get("retryAfterMs");
        yield new Message.Error(
            requiredId(object, "code", path),
            requiredText(object, "message", path),
            ref == null || ref.isNull() ? null : integer(ref, field(path, "ref"), 0),
            retryAfter == null || retryAfter.isNull()
                ? null
                : integer(retryAfter, field(path, "retryAfterMs"), 0));
      }
      default ->
          throw new DecodeException(
              DecodeException.Kind.UNKNOWN_TYPE,
              field(path, "type"),
              "unknown message type '"
                  + type
                  + "' (expected hello, welcome, push, ack, changes, snapshot, auth, authed, revoked, sync, synced, fetch, docs, subscribe, subscribed, unsubscribe, unsubscribed, digest, digests or error)");
    };
  }

  Changeset changeset(JsonNode node, String path) {
    JsonNode object = object(node, path);
    long seq = requiredInteger(object, "seq", path, 1);
    return new Changeset(
        replicaId(required(object, "replicaId", path), field(path, "replicaId")),
        seq,
        requiredId(object, "space", path),
        requiredId(object, "collection", path),
        requiredId(object, "docId", path),
        hlc(required(object, "hlc", path), field(path, "hlc")),
        codec.decodeDocument(required(object, "delta", path), field(path, "delta")),
        // Any positive number: the server checks the range (toSeq >= seq, its span) with coded
        // errors of its own.
        optionalInteger(object, "toSeq", path, 1, seq),
        optionalBoolean(object, "resend", path));
  }

  private String optionalReplicaId(JsonNode object, String name, String path) {
    JsonNode value = object.get(name);
    return value == null || value.isNull() ? null : replicaId(value, field(path, name));
  }

  private MessageParts.Subscription subscription(JsonNode node, String path) {
    JsonNode object = object(node, path);
    String space = requiredId(object, "space", path);
    long since = optionalInteger(object, "since", path, 0, 0);
    JsonNode stable = object.get("stable");
    Long parsedStable = null;
    if (stable != null && !stable.isNull()) {
      // A stable point is at most the cursor it was computed from.
      parsedStable = integer(stable, field(path, "stable"), 0);
      if (parsedStable > since) {
        throw new DecodeException(
            field(path, "stable"), "must be <= since " + since + ", got " + parsedStable);
      }
    }
    return new MessageParts.Subscription(
        space, since, parsedStable, optionalEpoch(object, "epoch", path));
  }

  /** The optional {@code stable} array of push and sync: each space at most once. */
  private List<MessageParts.SpaceStable> stablePoints(JsonNode object, String path) {
    JsonNode value = object.get("stable");
    if (value == null || value.isNull()) {
      return List.of();
    }
    List<MessageParts.SpaceStable> points = list(object, "stable", path, this::spaceStable);
    Set<String> spaces = new HashSet<>();
    for (int i = 0; i < points.size(); i++) {
      if (!spaces.add(points.get(i).space())) {
        throw new DecodeException(
            field(index(field(path, "stable"), i), "space"),
            "space '" + points.get(i).space() + "' is given twice");
      }
    }
    return points;
  }

  /** A list naming each space at most once (a subscribe or an unsubscribe). */
  private static <T> List<T> distinctSpaces(
      List<T> items, java.util.function.Function<T, String> space, String listPath) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String name = space.apply(items.get(i));
      if (!seen.add(name)) {
        throw new DecodeException(index(listPath, i), "space '" + name + "' is given twice");
      }
    }
    return items;
  }

  /** The {@code docs} of a fetch: each document at most once. */
  private List<MessageParts.DocName> docNames(JsonNode object, String path) {
    List<MessageParts.DocName> names = list(object, "docs", path, this::docName);
    Set<MessageParts.DocName> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      if (!seen.add(names.get(i))) {
        throw new DecodeException(
            index(field(path, "docs"), i),
            "document '"
                + names.get(i).collection()
                + "/"
                + names.get(i).docId()
                + "' is named twice");
      }
    }
    return names;
  }

  private MessageParts.DocName docName(JsonNode node, String path) {
    JsonNode object = object(node, path);
    return new MessageParts.DocName(
        requiredId(object, "collection", path), requiredId(object, "docId", path));
  }

  private MessageParts.SpaceStable spaceStable(JsonNode node, String path) {
    JsonNode object = object(node, path);
    return new MessageParts.SpaceStable(
        requiredId(object, "space", path), requiredInteger(object, "stable", path, 0));
  }

  private MessageParts.SpaceHead spaceHead(JsonNode node, String path) {
    JsonNode object = object(node, path);
    return new MessageParts.SpaceHead(
        requiredId(object, "space", path),
        requiredInteger(object, "head", path, 0),
        optionalEpoch(object, "epoch", path),
        optionalBoolean(object, "restored", path));
  }

  private MessageParts.AckResult ackResult(JsonNode node, String path) {
    JsonNode object = object(node, path);
    return new MessageParts.AckResult(
        requiredInteger(object, "seq", path, 1), requiredInteger(object, "serverSeq", path, 1));
  }

  private MessageParts.ChangeItem changeItem(JsonNode node, String path) {
    JsonNode object = object(node, path);
    long serverSeq = requiredInteger(object, "serverSeq", path, 1);
    long fromSeq = optionalInteger(object, "fromSeq", path, 1, serverSeq);
    if (fromSeq > serverSeq) {
      throw new DecodeException(
          field(path, "fromSeq"), "must be <= serverSeq " + serverSeq + ", got " + fromSeq);
    }
    JsonNode origin = object.get("origin");
    MessageParts.Origin parsedOrigin = null;
    if (origin != null && !origin.isNull()) {
      String originPath = field(path, "origin");
      JsonNode originObject = object(origin, originPath);
      parsedOrigin =
          new MessageParts.Origin(
              replicaId(
                  required(originObject, "replicaId", originPath), field(originPath, "replicaId")),
              requiredInteger(originObject, "seq", originPath, 1));
    }
    Document delta = codec.decodeDocument(required(object, "delta", path), field(path, "delta"));
    return new MessageParts.ChangeItem(
        serverSeq,
        fromSeq,
        requiredId(object, "collection", path),
        requiredId(object, "docId", path),
        delta,
        parsedOrigin);
  }

  private MessageParts.SnapshotDoc snapshotDoc(JsonNode node, String path) {
    JsonNode object = object(node, path);
    return new MessageParts.SnapshotDoc(
        requiredId(object, "collection", path),
        requiredId(object, "docId", path),
        codec.decodeDocument(required(object, "state", path), field(path, "state")));
  }

  /** A hello's optional {@code lineage}: replica ids, at most {@link Message.Hello#MAX_LINEAGE}. */
  private List<String> lineage(JsonNode object, String path) {
    JsonNode value = object.get("lineage");
    if (value == null || value.isNull()) {
      return List.of();
    }
    List<String> ids = list(object, "lineage", path, this::replicaId);
    if (ids.size() > Message.Hello.MAX_LINEAGE) {
      throw new DecodeException(
          field(path, "lineage"),
          "names at most " + Message.Hello.MAX_LINEAGE + " replica ids, got " + ids.size());
    }
    return ids;
  }

  interface ElementReader<T> {
    T read(JsonNode node, String path);
  }

  private <T> List<T> list(JsonNode object, String name, String path, ElementReader<T> reader) {
    String listPath = field(path, name);
    JsonNode array = array(required(object, name, path), listPath);
    List<T> result = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      result.add(reader.read(array.get(i), index(listPath, i)));
    }
    return result;
  }
}
