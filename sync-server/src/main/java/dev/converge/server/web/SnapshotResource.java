package dev.converge.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.document.SnapshotReader;
import dev.converge.server.error.SyncError;
import dev.converge.server.space.SpaceAccess;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * REST snapshots: every document of a space, page by page, for clients behind the retained log.
 *
 * <p>All pages of one snapshot report the head read for its first page (the page token carries it).
 * Each state read afterwards includes every change up to that head, since a change's document state
 * and the space's head commit in one transaction; a state may also include later changes, and a
 * document created later may be missing. Both are repaired by the log: the client continues with
 * changes after the head, and re-applying a change a state already holds is harmless (joins are
 * idempotent).
 */
@Path("/v1/spaces/{space}/snapshot")
@Authenticated
@Tag(name = "spaces", description = "Pull changes and read merged documents")
public class SnapshotResource {

  private static final int MAX_PAGE = 1_000;

  private final SnapshotReader docs;
  private final ChangeLogReader log;
  private final ProtocolCodec stored;
  private final JsonWebToken token;
  private final long pageBytes;

  SnapshotResource(
      SnapshotReader docs,
      ChangeLogReader log,
      ProtocolCodec codec,
      JsonWebToken token,
      @ConfigProperty(name = "converge.sync.snapshot-page-bytes", defaultValue = "1048576")
          long pageBytes) {
    this.docs = docs;
    this.log = log;
    this.stored = codec.forStoredData();
    this.token = token;
    this.pageBytes = pageBytes;
  }

  /** A document's state in a snapshot page. */
  public record SnapshotDocView(
      String collection,
      String docId,
      @Schema(ref = OpenApiSchemas.CRDT_DOCUMENT) JsonNode state) {}

  /**
   * A snapshot page.
   *
   * @param head the head of the snapshot, the same on every page: after the last page, pull changes
   *     after it
   * @param next pass as {@code page} for the next page; null on the last page
   */
  public record SnapshotPage(String space, long head, List<SnapshotDocView> docs, String next) {}

  /**
   * Reads one page of a snapshot.
   *
   * @param page the previous page's {@code next}; absent for the first page
   * @param limit most documents on the page; the page's byte budget may hold fewer
   * @return the page; 400 {@code invalid} for a token that is not one of this space's; 410 {@code
   *     snapshot_required} when the log was compacted past the snapshot's head meanwhile
   */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Read a snapshot",
      description =
          "Full document states, paged: follow `next` (pass it as `page`) until it is null,"
              + " then pull changes after `head`. Every page reports the head of the first one; states may already hold later changes,"
              + " which re-apply harmlessly. A page holds at most `limit` documents and stays within the server's page byte budget,"
              + " except that a document bigger than the budget comes alone on its page.")
  @APIResponse(
      responseCode = "200",
      description = "A page of document states; `next` is null on the last one",
      content = @Content(schema = @Schema(implementation = SnapshotPage.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "invalid: `limit` is malformed or out of range, or `page` is not a page token of this"
              + " space")
  @APIResponse(responseCode = "403", description = OpenApiSchemas.FORBIDDEN_SPACE)
  @APIResponse(
      responseCode = "410",
      description =
          "snapshot_required: the log was compacted past the snapshot's head while it was read;"
              + " start again without `page`")
  public Uni<SnapshotPage> snapshot(
      @PathParam("space") String space,
      @QueryParam("page") String page,
      @QueryParam("limit")
          @DefaultValue("100")
          @Parameter(schema = @Schema(implementation = Integer.class, defaultValue = "100"))
          String limitParam) {
    SpaceAccess.require(SpaceGrants.of(token), space);
    int limit = (int) QueryParams.integer("limit", limitParam, 1, MAX_PAGE);
    SnapshotToken from = page == null || page.isEmpty() ? null : SnapshotToken.decode(space, page);
    return log.head(space)
        .chain(
            current -> {
              long head = from == null ? current.head() : pinnedHead(from, current);
              return docs.slice(
                      space,
                      from == null ? null : from.collection(),
                      from == null ? null : from.docId(),
                      limit,
                      pageBytes)
                  .map(
                      slice ->
                          new SnapshotPage(
                              space,
                              head,
                              slice.docs().stream()
                                  .map(
                                      d ->
                                          new SnapshotDocView(
                                              d.key.collection, d.key.docId, stored.parse(d.state)))
                                  .toList(),
                              slice.more()
                                  ? new SnapshotToken(
                                          space,
                                          head,
                                          slice.last().key.collection,
                                          slice.last().key.docId)
                                      .encode()
                                  : null));
            });
  }

  private static long pinnedHead(SnapshotToken from, ChangeLogReader.SpaceHead current) {
    if (from.head() > current.head()) {
      throw new SyncError(
          ErrorCode.INVALID,
          "page names head "
              + from.head()
              + ", beyond the space's head "
              + current.head()
              + "; start the snapshot again without 'page'");
    }
    if (from.head() < current.retainedAfter()) {
      throw new SyncError(
          ErrorCode.SNAPSHOT_REQUIRED,
          "the log was compacted past this snapshot's head "
              + from.head()
              + " while it was read; start the snapshot again without 'page'");
    }
    return from.head();
  }
}
