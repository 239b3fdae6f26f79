package dev.converge.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.NodeHash;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decodes {@code digest} and {@code digests} (docs/protocol-2.md, "Digests"), checking the shape
 * the tree imposes: a path of at most {@link DigestTree#DEPTH} lowercase hex digits; at an inner
 * node exactly {@link DigestTree#FANOUT} node hashes and no documents; at a leaf no hashes and at
 * most {@link #MAX_LEAF_DOCS} documents, each named once and each in that leaf.
 */
final class DigestReader {

  private static final int MAX_LEAF_DOCS = DigestTree.MAX_LEAF_DOCS;

  private final TreeReader reader;

  DigestReader(TreeReader reader) {
    this.reader = reader;
  }

  Message.Digest digest(JsonNode object, String path) {
    String treePath = treePath(object, path);
    return new Message.Digest(
        reader.requiredInteger(object, "ref", path, 0),
        reader.requiredId(object, "space", path),
        treePath,
        hashes(object, path, treePath),
        docs(object, path, treePath, false));
  }

  Message.Digests digests(JsonNode object, String path) {
    String treePath = treePath(object, path);
    return new Message.Digests(
        reader.requiredInteger(object, "ref", path, 0),
        reader.requiredId(object, "space", path),
        treePath,
        hashes(object, path, treePath),
        docs(object, path, treePath, true),
        reader.optionalBoolean(object, "more", path));
  }

  private String treePath(JsonNode object, String path) {
    String treePath = reader.requiredText(object, "path", path);
    if (!DigestTree.isPath(treePath)) {
      throw new DecodeException(
          TreeReader.field(path, "path"),
          "a tree path is at most " + DigestTree.DEPTH + " lowercase hex digits");
    }
    return treePath;
  }

  private List<String> hashes(JsonNode object, String path, String treePath) {
    String listPath = TreeReader.field(path, "hashes");
    JsonNode array = reader.array(reader.required(object, "hashes", path), listPath);
    int expected = DigestTree.isLeaf(treePath) ? 0 : DigestTree.FANOUT;
    if (array.size() > DigestTree.FANOUT) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT, listPath, "more than " + DigestTree.FANOUT + " hashes");
    }
    if (array.size() != expected) {
      throw new DecodeException(
          listPath,
          expected == 0
              ? "a leaf carries documents, not hashes"
              : "an inner node carries exactly " + DigestTree.FANOUT + " hashes");
    }
    List<String> hashes = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String text = reader.text(array.get(i), TreeReader.index(listPath, i));
      try {
        NodeHash.parse(text);
      } catch (IllegalArgumentException e) {
        throw new DecodeException(TreeReader.index(listPath, i), e.getMessage());
      }
      hashes.add(text);
    }
    return hashes;
  }

  private List<MessageParts.DigestDoc> docs(
      JsonNode object, String path, String treePath, boolean optional) {
    JsonNode value = object.get("docs");
    if (optional && (value == null || value.isNull())) {
      return List.of();
    }
    String listPath = TreeReader.field(path, "docs");
    JsonNode array = reader.array(reader.required(object, "docs", path), listPath);
    if (array.size() > MAX_LEAF_DOCS) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT, listPath, "more than " + MAX_LEAF_DOCS + " documents");
    }
    if (array.size() > 0 && !DigestTree.isLeaf(treePath)) {
      throw new DecodeException(listPath, "only a leaf carries documents");
    }
    int leaf = DigestTree.isLeaf(treePath) ? DigestTree.index(treePath) : -1;
    List<MessageParts.DigestDoc> docs = new ArrayList<>(array.size());
    Set<List<String>> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String docPath = TreeReader.index(listPath, i);
      JsonNode doc = reader.object(array.get(i), docPath);
      String collection = reader.requiredId(doc, "collection", docPath);
      String docId = reader.requiredId(doc, "docId", docPath);
      JsonNode hash = doc.get("hash");
      String hex = null;
      if (hash != null && !hash.isNull()) {
        hex = reader.text(hash, TreeReader.field(docPath, "hash"));
        try {
          DocDigest.parse(hex);
        } catch (IllegalArgumentException e) {
          throw new DecodeException(TreeReader.field(docPath, "hash"), e.getMessage());
        }
      }
      if (DigestTree.leafOf(collection, docId) != leaf) {
        throw new DecodeException(docPath, "the document is not in leaf '" + treePath + "'");
      }
      if (!seen.add(List.of(collection, docId))) {
        throw new DecodeException(docPath, "the document is listed twice");
      }
      docs.add(new MessageParts.DigestDoc(collection, docId, hex));
    }
    return docs;
  }
}
