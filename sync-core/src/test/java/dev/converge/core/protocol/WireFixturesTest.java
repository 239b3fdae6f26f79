package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.policy.Profile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Frozen encodings of protocol version 2. If one of these fails, the wire format changed: that must
 * be a deliberate act (a new protocol version and new fixtures), never a side effect.
 */
class WireFixturesTest {

  private static final String PHONE = "Q2FydFBob25lUmVwbGljYQ";
  private static final String LAPTOP = "TGFwdG9wUmVwbGljYUlkMQ";
  private final ProtocolCodec codec = new ProtocolCodec();

  static Map<String, Message> examples() {
    Document cart = new Document();
    Document add = Cart.of(cart).add(PHONE, "sku-001", 2);
    Document more = Cart.of(cart).add(PHONE, "sku-001", 1);
    Document profile = new Document();
    Document name =
        Profile.of(profile)
            .set(LAPTOP, "name", TextNode.valueOf("Ada"), new Hlc(1764065400000L, 0));

    Map<String, Message> examples = new TreeMap<>();
    examples.put(
        "hello",
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            PHONE,
            List.of(new MessageParts.Subscription("user:alice", 41))));
    examples.put(
        "welcome",
        new Message.Welcome(
            "server-1",
            Message.PROTOCOL_VERSION,
            1764069000000L,
            List.of(new MessageParts.SpaceHead("user:alice", 42))));
    examples.put(
        "push",
        new Message.Push(
            List.of(
                new Changeset(
                    PHONE, 7, "user:alice", "carts", "main", new Hlc(1764065400000L, 1), add))));
    examples.put("ack", new Message.Ack(PHONE, 7, List.of(new MessageParts.AckResult(7, 43))));
    examples.put(
        "changes",
        new Message.Changes(
            "user:alice",
            42,
            44,
            List.of(
                new MessageParts.ChangeItem(
                    43, "carts", "main", more, new MessageParts.Origin(PHONE, 8)),
                new MessageParts.ChangeItem(44, 40, "profiles", "me", name, null)),
            false));
    examples.put(
        "snapshot",
        new Message.Snapshot(
            "user:alice", 44, List.of(new MessageParts.SnapshotDoc("carts", "main", cart)), false));
    examples.put("auth", new Message.Auth("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
    examples.put("authed", new Message.Authed(1764072600000L));
    examples.put("revoked", new Message.Revoked("team:42"));
    examples.put(
        "error",
        new Message.Error(
            "seq_regression", "seq 5 of replica Q2Fy... is below its last applied seq 7", 5L));
    examples.put(
        "error-retry",
        new Message.Error("internal", "the database did not answer; retry", null, 2000L));
    examples.put(
        "hello-rekeyed",
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            LAPTOP,
            List.of(new MessageParts.Subscription("user:alice", 41)),
            PHONE));
    // Its predecessor succeeded an older id in turn, which this hello names too.
    examples.put(
        "hello-lineage",
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            LAPTOP,
            List.of(new MessageParts.Subscription("user:alice", 41)),
            PHONE,
            List.of("T2xkZXN0UmVwbGljYUlkMA")));
    examples.put("sync", new Message.Sync(3));
    examples.put(
        "hello-stable",
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            PHONE,
            List.of(
                new MessageParts.Subscription("user:alice", 41, 38L),
                new MessageParts.Subscription("team:42", 7))));
    examples.put(
        "push-stable",
        new Message.Push(
            List.of(
                new Changeset(
                    PHONE, 7, "user:alice", "carts", "main", new Hlc(1764065400000L, 1), add)),
            List.of(new MessageParts.SpaceStable("user:alice", 41))));
    // A re-keyed device's resend of a write made under its retired id (docs/protocol-2.md).
    examples.put(
        "push-resend",
        new Message.Push(
            List.of(
                new Changeset(
                    LAPTOP,
                    1,
                    "user:alice",
                    "carts",
                    "main",
                    new Hlc(1764065400000L, 1),
                    add,
                    1,
                    true))));
    examples.put(
        "sync-stable",
        new Message.Sync(
            4,
            List.of(
                new MessageParts.SpaceStable("user:alice", 45),
                new MessageParts.SpaceStable("team:42", 9))));
    examples.put(
        "fetch",
        new Message.Fetch(
            5,
            "user:alice",
            List.of(
                new MessageParts.DocName("carts", "main"),
                new MessageParts.DocName("profiles", "me"))));
    examples.put(
        "docs",
        new Message.Docs(
            5,
            "user:alice",
            45,
            List.of(
                new MessageParts.SnapshotDoc("carts", "main", cart),
                new MessageParts.SnapshotDoc("profiles", "me", new Document()))));
    dev.converge.core.digest.SpaceDigest tree = new dev.converge.core.digest.SpaceDigest();
    dev.converge.core.digest.DocDigest cartDigest =
        dev.converge.core.digest.DocDigest.of(cart, new ProtocolCodec());
    tree.add("carts", "main", cartDigest);
    String leaf =
        dev.converge.core.digest.DigestTree.leafPath(
            dev.converge.core.digest.DigestTree.leafOf("carts", "main"));
    examples.put(
        "digest",
        new Message.Digest(
            6,
            "user:alice",
            "",
            dev.converge.core.digest.SpaceDigest.wire(tree.children("")),
            List.of()));
    examples.put(
        "digest-leaf",
        new Message.Digest(
            7,
            "user:alice",
            leaf,
            List.of(),
            List.of(new MessageParts.DigestDoc("carts", "main", cartDigest.hex()))));
    examples.put(
        "digests",
        new Message.Digests(
            7,
            "user:alice",
            leaf,
            List.of(),
            List.of(new MessageParts.DigestDoc("carts", "main", null)),
            false));
    examples.put(
        "synced", new Message.Synced(3, List.of(new MessageParts.SpaceHead("user:alice", 45))));
    examples.put(
        "subscribe",
        new Message.Subscribe(
            List.of(
                new MessageParts.Subscription("team:42", 7, 5L),
                new MessageParts.Subscription("team:43", 0))));
    examples.put(
        "subscribed", new Message.Subscribed(List.of(new MessageParts.SpaceHead("team:42", 12))));
    examples.put("unsubscribe", new Message.Unsubscribe(List.of("team:42")));
    examples.put("unsubscribed", new Message.Unsubscribed(List.of("team:42")));
    return examples;
  }

  @Test
  void everyMessageType_encodesExactlyAsItsFrozenFixture_andDecodesBack() throws IOException {
    for (Map.Entry<String, Message> example : examples().entrySet()) {
      String fixture = fixture(example.getKey());
      assertThat(codec.encode(example.getValue())).as(example.getKey()).isEqualTo(fixture);
      assertThat(codec.decode(fixture)).as(example.getKey()).isEqualTo(example.getValue());
    }
  }

  @Test
  void oneItemCartAdd_encodesWellUnder200Bytes() {
    Document add = Cart.of(new Document()).add(PHONE, "sku-001", 1);
    assertThat(codec.encodeDocument(add).getBytes(StandardCharsets.UTF_8)).hasSizeLessThan(200);
  }

  static String fixture(String name) throws IOException {
    try (InputStream in =
        WireFixturesTest.class.getResourceAsStream(
            "/wire/v" + Message.PROTOCOL_VERSION + "/" + name + ".json")) {
      assertThat(in).as("fixture " + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  /** Writes the fixtures; run by hand only when a new protocol version is introduced. */
  public static void main(String[] args) throws IOException {
    ProtocolCodec codec = new ProtocolCodec();
    for (Map.Entry<String, Message> example : examples().entrySet()) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(args[0], example.getKey() + ".json"),
          codec.encode(example.getValue()) + "\n");
    }
  }
}
