package dev.converge.server.web;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.server.changeset.SpaceErasure;
import dev.converge.server.changeset.UserErasure;
import dev.converge.server.error.ApiException;
import dev.converge.server.error.ErrorBody;
import dev.converge.server.error.SyncError;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The administration endpoints (docs/access-control.md section 4), allowed only to tokens whose
 * {@code groups} claim holds {@value #ADMIN_GROUP}.
 */
@Path("/v1/admin")
@Authenticated
@Tag(
    name = "admin",
    description = "Erasure of spaces and users, for tokens in the converge-admin group")
public class AdminResource {

  /** The {@code groups} entry that makes a token an administrator. */
  public static final String ADMIN_GROUP = "converge-admin";

  /** Longest space name accepted, as in the sync protocol. */
  static final int MAX_SPACE_LENGTH = 256;

  /** Longest token subject accepted (a subject is a space name without its "user:" prefix). */
  static final int MAX_SUBJECT_LENGTH = MAX_SPACE_LENGTH - UserErasure.OWN_SPACE_PREFIX.length();

  private final SpaceErasure erasure;
  private final UserErasure users;
  private final JsonWebToken token;

  AdminResource(SpaceErasure erasure, UserErasure users, JsonWebToken token) {
    this.erasure = erasure;
    this.users = users;
    this.token = token;
  }

  /**
   * Erases a space.
   *
   * @return what was removed; 403 {@code forbidden} for a token outside the admin group, 400 {@code
   *     invalid} for a malformed space name
   */
  @DELETE
  @Path("/spaces/{space}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Erase a space",
      description =
          "Deletes every row of the space (documents, change log, counter, stable points) in one"
              + " transaction and keeps a tombstone: connected devices of the space are sent"
              + " `revoked` and purge it, and a device that subscribes later is told the same."
              + " Erasing an erased space again removes nothing. Backups taken before the erasure"
              + " still hold the data: see docs/access-control.md section 4.")
  @APIResponse(
      responseCode = "200",
      description = "The space is erased; the counts say how many rows were removed",
      content = @Content(schema = @Schema(implementation = SpaceErasure.Erased.class)))
  @APIResponse(
      responseCode = "400",
      description = "invalid: the space name is blank, too long or holds control characters",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "401",
      description = "unauthenticated: missing, invalid or expired bearer token",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "403",
      description = "forbidden: the token is not in the converge-admin group; nothing changed",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Uni<SpaceErasure.Erased> eraseSpace(@PathParam("space") String space) {
    requireAdmin();
    requireName("space", space, MAX_SPACE_LENGTH);
    return erasure.erase(space);
  }

  /**
   * Erases a user.
   *
   * @return what was removed; 403 {@code forbidden} for a token outside the admin group, 400 {@code
   *     invalid} for a malformed subject
   */
  @DELETE
  @Path("/users/{subject}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Erase a user",
      description =
          "Deletes, in one transaction, the user's own space `user:<subject>` whole and every row"
              + " keyed by a replica of the user (progress and re-key lineage, stable points,"
              + " refused changesets). What the user wrote into spaces shared with others stays"
              + " there, no longer linked to the subject. Keeps only the SHA-256 of the subject as a"
              + " tombstone: the user's connected devices are sent `revoked` for every space they"
              + " follow and closed with 4001; a device of the user that connects later is told the"
              + " same, and nothing of the user is recorded again. Erasing an erased user again"
              + " removes nothing. Backups taken before the erasure still hold the data: see"
              + " docs/access-control.md section 4.")
  @APIResponse(
      responseCode = "200",
      description = "The user is erased; the counts say how many rows were removed",
      content = @Content(schema = @Schema(implementation = UserErasure.ErasedUser.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "invalid: the subject is blank, longer than 251 characters or holds control characters",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "401",
      description = "unauthenticated: missing, invalid or expired bearer token",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "403",
      description = "forbidden: the token is not in the converge-admin group; nothing changed",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Uni<UserErasure.ErasedUser> eraseUser(@PathParam("subject") String subject) {
    requireAdmin();
    requireName("subject", subject, MAX_SUBJECT_LENGTH);
    return users.erase(subject);
  }

  private void requireAdmin() {
    if (token.getGroups() == null || !token.getGroups().contains(ADMIN_GROUP)) {
      throw new ApiException(
          403, "forbidden", "erasure requires a token in the '" + ADMIN_GROUP + "' group");
    }
  }

  private static void requireName(String what, String name, int maxLength) {
    if (name == null || name.isBlank()) {
      throw new SyncError(ErrorCode.INVALID, what + ": must not be blank");
    }
    if (name.length() > maxLength) {
      throw new SyncError(ErrorCode.INVALID, what + ": longer than " + maxLength + " characters");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new SyncError(ErrorCode.INVALID, what + ": holds control characters");
    }
  }
}
