package dev.converge.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.PushService;
import dev.converge.server.error.ErrorBody;
import dev.converge.server.error.SyncError;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** REST mirror of push, for clients without a WebSocket and for backends. */
@Path("/v1/changesets")
@Authenticated
@Tag(name = "sync", description = "Push changesets")
public class ChangesetResource {

  private final PushService pushes;
  private final ProtocolCodec codec;
  private final JsonWebToken token;

  ChangesetResource(PushService pushes, ProtocolCodec codec, JsonWebToken token) {
    this.pushes = pushes;
    this.codec = codec;
    this.token = token;
  }

  /** A changeset consumed without being applied. */
  public record Rejected(long seq, String code, String message) {}

  /**
   * Response of a push: every seq up to {@code upToSeq} is durable or rejected.
   *
   * @param replicaId the pushing replica
   * @param upToSeq last consumed seq
   * @param results serverSeq of each applied changeset
   * @param rejected changesets refused by validation against the stored document
   */
  public record PushResponse(
      String replicaId,
      long upToSeq,
      List<MessageParts.AckResult> results,
      List<Rejected> rejected) {}

  /**
   * Applies changesets of one replica, in one transaction; answers after commit.
   *
   * @return the ack; 400/403/409/413 with {@code {code, message}} when refused as a whole
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Push changesets",
      description =
          "Applies the changesets of one replica in one transaction and acks them after commit."
              + " Re-pushes are acked again and change nothing. A changeset refused on its own is"
              + " consumed and listed in `rejected` with its code: forbidden_space, read_only (the"
              + " token grants the space for reading only), the trust-boundary codes, write_refused"
              + " (a field type the collection's rule does not accept, or a deployment's rule),"
              + " document_too_large, quota_exceeded. See docs/access-control.md.")
  @APIResponse(
      responseCode = "200",
      description = "Every seq up to upToSeq is durable or rejected",
      content = @Content(schema = @Schema(implementation = PushResponse.class)))
  @APIResponse(
      responseCode = "429",
      description =
          "rate_limited: the user's or a space's changesets per second are used up; nothing was"
              + " applied. Push again after retryAfterMs (the Retry-After header gives it in whole"
              + " seconds).",
      headers = @Header(name = "Retry-After", schema = @Schema(type = SchemaType.INTEGER)),
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "400",
      description = "invalid, malformed: nothing was applied",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "403",
      description =
          "replica_forged: the replica id belongs to another user; nothing was applied (a"
              + " changeset into a space the token does not grant is rejected on its own instead)")
  @APIResponse(
      responseCode = "409",
      description =
          "seq_gap, seq_regression: the seqs do not follow the replica's last acked one; nothing"
              + " was applied")
  @APIResponse(
      responseCode = "413",
      description = "too_large: the body exceeds the server's limits")
  public Uni<PushResponse> push(
      @RequestBody(
              description = "The changesets of one replica (docs/examples/push.json)",
              content = @Content(schema = @Schema(ref = OpenApiSchemas.PUSH_REQUEST)))
          String body) {
    JsonNode tree;
    try {
      tree = codec.parse(body);
    } catch (DecodeException e) {
      throw SyncError.of(e);
    }
    JsonNode list = tree.isObject() ? tree.get("changesets") : null;
    if (list == null || !list.isArray()) {
      throw new SyncError(ErrorCode.INVALID, "$.changesets: expected an array of changesets");
    }
    List<Changeset> changesets = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      try {
        changesets.add(codec.decodeChangeset(list.get(i), "$.changesets[" + i + "]"));
      } catch (DecodeException e) {
        throw SyncError.of(e);
      }
    }
    return pushes
        .push(SpaceGrants.of(token), changesets)
        .map(
            outcome ->
                new PushResponse(
                    outcome.replicaId(),
                    outcome.upToSeq(),
                    outcome.results(),
                    outcome.refusals().stream()
                        .map(r -> new Rejected(r.seq(), r.code(), r.message()))
                        .toList()));
  }
}
