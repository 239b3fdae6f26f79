package dev.converge.server.web;

import dev.converge.server.space.SpaceGrants;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/me}: who the bearer token says the caller is, and what it grants. */
@Path("/v1/me")
@Authenticated
@Tag(name = "me", description = "The caller as its token says")
public class MeResource {

  private final JsonWebToken token;

  MeResource(JsonWebToken token) {
    this.token = token;
  }

  /**
   * The caller as the server sees it.
   *
   * @param subject the token's {@code sub}
   * @param spaces every granted space, sorted, including {@code user:<sub>}
   * @param tokenExpiresAt when the token expires
   */
  public record Me(String subject, List<String> spaces, Instant tokenExpiresAt) {}

  /**
   * Returns the caller's subject, granted spaces and token expiry.
   *
   * @return the caller; a missing, invalid or expired token is answered with 401
   */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @NonBlocking
  @Operation(
      summary = "Who am I",
      description =
          "The token's subject, every space it grants (its own user:<sub> included) and when it"
              + " expires: a quick check of a token before syncing with it.")
  public Me me() {
    SpaceGrants grants = SpaceGrants.of(token);
    return new Me(
        grants.subject(),
        List.copyOf(grants.spaces()),
        Instant.ofEpochSecond(token.getExpirationTime()));
  }
}
