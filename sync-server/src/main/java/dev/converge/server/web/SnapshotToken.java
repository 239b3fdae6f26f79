package dev.converge.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.server.error.SyncError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque token that continues a REST snapshot: the space, the head pinned at the first page,
 * and the last document sent. Every page of one snapshot reports the same head, so a client that
 * reads all pages and then pulls changes after that head ends equal to the server.
 *
 * <p>Encoded as base64url (no padding) of a small JSON object. It is not signed: it grants nothing
 * (every page checks the caller's access to the space), and a well-formed token a client altered
 * only changes what that client reads. Immutable.
 *
 * @param space the space the snapshot reads
 * @param head the space's head when the first page was read
 * @param collection collection of the last document sent
 * @param docId id of the last document sent
 */
public record SnapshotToken(String space, long head, String collection, String docId) {

  private static final int VERSION = 1;
  private static final int MAX_TOKEN_CHARS = 4_096;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Returns the token's text, safe in a URL query. */
  public String encode() {
    ObjectNode node =
        JSON.createObjectNode()
            .put("v", VERSION)
            .put("space", space)
            .put("head", head)
            .put("c", collection)
            .put("d", docId);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Decodes a token received for {@code space}.
   *
   * @return the token
   * @throws SyncError {@code invalid} if the text is not a token of this server for this space
   */
  public static SnapshotToken decode(String space, String text) {
    if (text.length() > MAX_TOKEN_CHARS) {
      throw invalid("it is too long");
    }
    JsonNode node;
    try {
      node = JSON.readTree(Base64.getUrlDecoder().decode(text));
    } catch (IllegalArgumentException | IOException e) {
      throw invalid("it is not base64url-encoded JSON");
    }
    if (node == null
        || !node.isObject()
        || node.path("v").asInt() != VERSION
        || !node.path("head").isIntegralNumber()
        || node.path("head").asLong() < 0
        || !node.path("space").isTextual()
        || !node.path("c").isTextual()
        || !node.path("d").isTextual()) {
      throw invalid("its fields are missing or wrong");
    }
    if (!node.get("space").asText().equals(space)) {
      throw invalid("it belongs to another space");
    }
    return new SnapshotToken(
        space, node.get("head").asLong(), node.get("c").asText(), node.get("d").asText());
  }

  private static SyncError invalid(String why) {
    return new SyncError(
        ErrorCode.INVALID,
        "page is not a snapshot page token of this space ("
            + why
            + "); start the snapshot again without 'page'");
  }
}
