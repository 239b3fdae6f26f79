package dev.converge.server.changeset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.space.SpaceGrants;
import dev.converge.server.sync.SessionRegistry;
import dev.converge.server.sync.SyncMetrics;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** REST mirror of push and pull, for clients without a WebSocket and for backends. */
@Path("/v1")
@Authenticated
@Tag(name = "sync", description = "Push changesets and pull changes")
public class ChangesetResource {

  private static final int MAX_PAGE = 1_000;

  private final PushService pushes;
  private final ChangeLogReader log;
  private final ProtocolCodec codec;
  private final JsonWebToken token;
  private final SessionRegistry registry;
  private final SyncMetrics metrics;

  ChangesetResource(PushService pushes, ChangeLogReader log, ProtocolCodec codec, JsonWebToken token,
      SessionRegistry registry, SyncMetrics metrics) {
    this.pushes = pushes;
    this.log = log;
    this.codec = codec;
    this.token = token;
    this.registry = registry;
    this.metrics = metrics;
  }

  /** Request body of a push. */
  public record PushRequest(List<JsonNode> changesets) {}

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
  public record PushResponse(String replicaId, long upToSeq, List<Message.AckResult> results, List<Rejected> rejected) {}

  /** One change of a pulled page. */
  public record ChangeView(long serverSeq, String collection, String docId, JsonNode delta, Message.Origin origin) {}

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
  public record ChangesPage(String space, long from, long to, long head, List<ChangeView> items, boolean more) {}

  /**
   * Applies changesets of one replica, in one transaction; answers after commit.
   *
   * @return the ack; 400/403/409/413 with {@code {code, message}} when refused as a whole
   */
  @POST
  @Path("/changesets")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Push changesets", description = "Applies the changesets of one replica in one transaction and acks them after commit. Re-pushes are acked again and change nothing.")
  public Uni<PushResponse> push(PushRequest request) {
    if (request == null || request.changesets() == null) {
      throw new SyncError(SyncError.INVALID, "$.changesets: required field is missing");
    }
    List<Changeset> changesets = new ArrayList<>(request.changesets().size());
    for (int i = 0; i < request.changesets().size(); i++) {
      try {
        changesets.add(codec.decodeChangeset(request.changesets().get(i), "$.changesets[" + i + "]"));
      } catch (DecodeException e) {
        throw new SyncError(e.kind() == DecodeException.Kind.LIMIT ? SyncError.TOO_LARGE : SyncError.INVALID, e.getMessage());
      }
    }
    long started = System.nanoTime();
    return pushes.push(SpaceGrants.of(token), changesets).map(outcome -> {
      metrics.pushed(outcome.results().size(), outcome.newConflicts(), Duration.ofNanos(System.nanoTime() - started));
      outcome.changedSpaces().forEach(registry::wake);
      return new PushResponse(outcome.replicaId(), outcome.upToSeq(), outcome.results(),
          outcome.rejections().stream().map(r -> new Rejected(r.seq(), r.code(), r.message())).toList());
    });
  }

  /**
   * Reads the changes of a space after a cursor.
   *
   * @return a page; 410 {@code snapshot_required} when the cursor predates the retained log
   */
  @GET
  @Path("/spaces/{space}/changes")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Pull changes", description = "Changes of a space with serverSeq above `since`, in order, paged.")
  public Uni<ChangesPage> changes(
      @PathParam("space") String space,
      @QueryParam("since") @DefaultValue("0") long since,
      @QueryParam("limit") @DefaultValue("100") int limit) {
    SpaceAccess.require(SpaceGrants.of(token), space);
    if (since < 0) {
      throw new SyncError(SyncError.INVALID, "since must be >= 0, got " + since);
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw new SyncError(SyncError.INVALID, "limit must be within 1.." + MAX_PAGE + ", got " + limit);
    }
    return log.read(space, since, limit).chain(items -> log.head(space).map(head -> {
      if (head.needsSnapshot(since) || (!items.isEmpty() && items.get(0).serverSeq() != since + 1)) {
        throw new SyncError(SyncError.SNAPSHOT_REQUIRED, "cursor " + since + " of space '" + space
            + "' predates the retained log (or is beyond its head " + head.head() + "); read /v1/spaces/{space}/snapshot and continue from its head");
      }
      List<ChangeView> views = new ArrayList<>(items.size());
      for (LoggedChange item : items) {
        views.add(new ChangeView(item.serverSeq(), item.collection(), item.docId(), parse(item.deltaJson()),
            new Message.Origin(item.replicaId(), item.seq())));
      }
      long to = items.isEmpty() ? since : items.get(items.size() - 1).serverSeq();
      return new ChangesPage(space, since, to, Math.max(head.head(), to), views, items.size() == limit);
    }));
  }

  private JsonNode parse(String json) {
    return codec.parse(json);
  }
}
