package dev.converge.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.Conflict;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Versioned;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.LoggedChange;
import dev.converge.server.document.DocState;
import dev.converge.server.document.SnapshotReader;
import dev.converge.server.error.ApiException;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * REST reads of a space: its changes after a cursor, its documents, one merged document (snapshots:
 * {@link SnapshotResource}).
 */
@Path("/v1/spaces/{space}")
@Authenticated
@Tag(name = "spaces", description = "Pull changes and read merged documents")
public class SpaceResource {

  private static final int MAX_PAGE = 1_000;

  private final SnapshotReader docs;
  private final ChangeLogReader log;
  private final ProtocolCodec stored;
  private final JsonWebToken token;

  SpaceResource(SnapshotReader docs, ChangeLogReader log, ProtocolCodec codec, JsonWebToken token) {
    this.docs = docs;
    this.log = log;
    // Rows are stored data: a document may legitimately have grown past the input limits.
    this.stored = codec.forStoredData();
    this.token = token;
  }

  /** One change of a pulled page. */
  public record ChangeView(
      long serverSeq,
      String collection,
      String docId,
      @Schema(ref = OpenApiSchemas.CRDT_DOCUMENT) JsonNode delta,
      MessageParts.Origin origin) {}

  /**
   * A page of a space's log.
   *
   * @param space the space
   * @param from the cursor the page starts after
   * @param to the serverSeq of its last change ({@code from} when empty): the next cursor
   * @param head the space's head when read
   * @param items the changes
   * @param more whether more changes follow
   */
  public record ChangesPage(
      String space, long from, long to, long head, List<ChangeView> items, boolean more) {}

  /** A document in a listing. */
  public record DocumentSummary(
      String collection, String docId, long headSeq, OffsetDateTime updatedAt) {}

  /**
   * A page of a space's documents.
   *
   * @param next pass as {@code after} to read the next page; null on the last page
   */
  public record DocumentList(
      String space, long head, List<DocumentSummary> documents, String next) {}

  /** A concurrent value a last-writer-wins read did not pick. */
  public record LosingValue(
      @Schema(ref = OpenApiSchemas.PLAIN_VALUE) JsonNode value, String hlc, String replicaId) {}

  /** A field holding concurrent values. */
  public record ConflictView(
      List<String> path,
      @Schema(ref = OpenApiSchemas.PLAIN_VALUE) JsonNode winner,
      List<LosingValue> losers) {}

  /**
   * A document's merged value.
   *
   * @param value the plain JSON view: registers by last-writer-wins, counters as numbers, sets as
   *     arrays; a name written as several types shows its preferred one (map, set, counter,
   *     register)
   * @param headSeq serverSeq of the last change applied to it
   * @param conflictCount how many fields hold concurrent values
   * @param conflicts those fields, with the values that lost
   * @param typeOverlaps the names holding several types, each type's value by tag, in path order
   * @param state the full CRDT state in the wire encoding
   */
  public record DocumentView(
      String space,
      String collection,
      String docId,
      long headSeq,
      @Schema(ref = OpenApiSchemas.PLAIN_VALUE) JsonNode value,
      int conflictCount,
      List<ConflictView> conflicts,
      List<TypeOverlapView> typeOverlaps,
      @Schema(ref = OpenApiSchemas.CRDT_DOCUMENT) JsonNode state) {}

  /** A name written as several types: its path and each type's plain value, by tag. */
  public record TypeOverlapView(List<String> path, java.util.Map<String, JsonNode> values) {}

  /** Lists the documents of a space, in (collection, docId) order. */
  @GET
  @Path("/documents")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "List documents",
      description = "Documents of a space in (collection, docId) order, paged with `after`.")
  @APIResponse(
      responseCode = "200",
      description = "A page of documents; `next` is null on the last one",
      content = @Content(schema = @Schema(implementation = DocumentList.class)))
  @APIResponse(
      responseCode = "400",
      description = "invalid: `after` or `limit` is malformed or out of range")
  @APIResponse(responseCode = "403", description = OpenApiSchemas.FORBIDDEN_SPACE)
  public Uni<DocumentList> list(
      @PathParam("space") String space,
      @QueryParam("after") String after,
      @QueryParam("limit")
          @DefaultValue("100")
          @Parameter(schema = @Schema(implementation = Integer.class, defaultValue = "100"))
          String limit) {
    return pageOfDocuments(
        space,
        after,
        limit,
        (head, rows, next) ->
            new DocumentList(
                space,
                head,
                rows.stream()
                    .map(
                        r ->
                            new DocumentSummary(
                                r.key.collection, r.key.docId, r.headSeq, r.updatedAt))
                    .toList(),
                next));
  }

  /** Reads one document's merged value with its version metadata. */
  @GET
  @Path("/documents/{collection}/{docId}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Read a document",
      description = "The merged value of one document, its head serverSeq and its conflicts.")
  @APIResponse(
      responseCode = "200",
      description = "The document",
      content = @Content(schema = @Schema(implementation = DocumentView.class)))
  @APIResponse(responseCode = "403", description = OpenApiSchemas.FORBIDDEN_SPACE)
  @APIResponse(
      responseCode = "404",
      description = "not_found: the space holds no such document (never written, or erased)")
  public Uni<DocumentView> get(
      @PathParam("space") String space,
      @PathParam("collection") String collection,
      @PathParam("docId") String docId) {
    SpaceAccess.require(SpaceGrants.of(token), space);
    return docs.find(space, collection, docId)
        .map(
            row -> {
              if (row == null) {
                throw new ApiException(
                    404,
                    "not_found",
                    "no document '" + collection + "/" + docId + "' in space '" + space + "'");
              }
              Document doc = stored.decodeDocument(row.state);
              List<Conflict> conflicts = doc.conflicts();
              return new DocumentView(
                  space,
                  collection,
                  docId,
                  row.headSeq,
                  doc.toJson(),
                  conflicts.size(),
                  conflicts.stream().map(SpaceResource::view).toList(),
                  doc.typeOverlaps().stream()
                      .map(o -> new TypeOverlapView(o.path(), o.values()))
                      .toList(),
                  stored.parse(row.state));
            });
  }

  /**
   * Reads the changes of a space after a cursor.
   *
   * @return a page; 410 {@code snapshot_required} when the cursor predates the retained log
   */
  @GET
  @Path("/changes")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Pull changes",
      description = "Changes of a space with serverSeq above `since`, in order, paged.")
  @APIResponse(
      responseCode = "200",
      description = "A page of changes; pull again from `to` while `more` is true",
      content = @Content(schema = @Schema(implementation = ChangesPage.class)))
  @APIResponse(
      responseCode = "400",
      description = "invalid: `since` or `limit` is malformed or out of range")
  @APIResponse(responseCode = "403", description = OpenApiSchemas.FORBIDDEN_SPACE)
  @APIResponse(
      responseCode = "410",
      description =
          "snapshot_required: the cursor predates the retained log; read the snapshot and pull"
              + " from its head")
  public Uni<ChangesPage> changes(
      @PathParam("space") String space,
      @QueryParam("since")
          @DefaultValue("0")
          @Parameter(schema = @Schema(implementation = Long.class, defaultValue = "0"))
          String sinceParam,
      @QueryParam("limit")
          @DefaultValue("100")
          @Parameter(schema = @Schema(implementation = Integer.class, defaultValue = "100"))
          String limitParam) {
    SpaceAccess.require(SpaceGrants.of(token), space);
    long since = QueryParams.integer("since", sinceParam, 0, Long.MAX_VALUE);
    int limit = checkLimit(limitParam);
    return log.read(space, since, limit + 1)
        .chain(
            rows ->
                log.head(space)
                    .map(
                        head -> {
                          boolean more = rows.size() > limit;
                          List<LoggedChange> items = more ? rows.subList(0, limit) : rows;
                          if (head.needsSnapshot(since)
                              || (!items.isEmpty() && items.get(0).serverSeq() != since + 1)) {
                            throw new SyncError(
                                ErrorCode.SNAPSHOT_REQUIRED,
                                "cursor "
                                    + since
                                    + " of space '"
                                    + space
                                    + "' predates the retained log (or is beyond its head "
                                    + head.head()
                                    + "); read /v1/spaces/{space}/snapshot and continue from its head");
                          }
                          List<ChangeView> views = new ArrayList<>(items.size());
                          for (LoggedChange item : items) {
                            views.add(
                                new ChangeView(
                                    item.serverSeq(),
                                    item.collection(),
                                    item.docId(),
                                    stored.parse(item.deltaJson()),
                                    new MessageParts.Origin(item.replicaId(), item.seq())));
                          }
                          long to =
                              items.isEmpty() ? since : items.get(items.size() - 1).serverSeq();
                          return new ChangesPage(
                              space, since, to, Math.max(head.head(), to), views, more);
                        }));
  }

  /**
   * Shapes one page of documents: the space's head (read first), the rows, the next position or
   * null.
   */
  private interface PageShape<T> {
    T shape(long head, List<DocState> rows, String next);
  }

  /**
   * Reads one page of a space's documents after {@code after}; the head is read before the rows.
   */
  private <T> Uni<T> pageOfDocuments(
      String space, String after, String limitParam, PageShape<T> shape) {
    SpaceAccess.require(SpaceGrants.of(token), space);
    Position position = Position.parse(after);
    int limit = checkLimit(limitParam);
    return log.head(space)
        .chain(
            head ->
                docs.page(space, position.collection, position.docId, limit + 1)
                    .map(
                        found -> {
                          List<DocState> rows =
                              found.size() > limit ? found.subList(0, limit) : found;
                          return shape.shape(
                              head.head(),
                              rows,
                              found.size() > limit ? Position.of(rows.get(rows.size() - 1)) : null);
                        }));
  }

  private static ConflictView view(Conflict conflict) {
    return new ConflictView(
        conflict.path(),
        conflict.winner().value(),
        conflict.losers().stream().map(SpaceResource::loser).toList());
  }

  private static LosingValue loser(Versioned v) {
    return new LosingValue(v.value(), v.hlc().toString(), v.dot().replica());
  }

  private static int checkLimit(String limit) {
    return (int) QueryParams.integer("limit", limit, 1, MAX_PAGE);
  }

  /** A paging position "collection/docId" (docId may contain '/'). */
  private record Position(String collection, String docId) {
    static Position parse(String after) {
      if (after == null || after.isEmpty()) {
        return new Position(null, null);
      }
      int slash = after.indexOf('/');
      if (slash <= 0 || slash == after.length() - 1) {
        throw new SyncError(
            ErrorCode.INVALID, "after must look like '<collection>/<docId>', got '" + after + "'");
      }
      return new Position(after.substring(0, slash), after.substring(slash + 1));
    }

    static String of(DocState row) {
      return row.key.collection + "/" + row.key.docId;
    }
  }
}
