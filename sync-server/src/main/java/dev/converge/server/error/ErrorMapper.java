package dev.converge.server.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The REST error mapper: every failure leaves the server as {@link ErrorBody} {@code {code,
 * message}} with a fitting status. Unexpected exceptions are logged with a reference that the
 * message repeats, and their details are not sent.
 */
public class ErrorMapper {

  private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

  /** Code of a missing, invalid or expired bearer token. */
  public static final String UNAUTHENTICATED = "unauthenticated";

  static final String UNAUTHENTICATED_MESSAGE = "missing, invalid or expired bearer token";

  @ServerExceptionMapper
  Response api(ApiException e) {
    if (e instanceof SyncError sync && sync.retryAfterMs() != null) {
      // Retry-After counts whole seconds; the body keeps the exact hint.
      long seconds = Math.max(1, (sync.retryAfterMs() + 999) / 1000);
      return Response.status(e.status())
          .type(MediaType.APPLICATION_JSON_TYPE)
          .header(HttpHeaders.RETRY_AFTER, seconds)
          .entity(new ErrorBody(e.code(), e.getMessage(), sync.retryAfterMs()))
          .build();
    }
    return body(e.status(), e.code(), e.getMessage());
  }

  @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
  Response unauthenticated(RuntimeException e) {
    return Response.fromResponse(body(401, UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  @ServerExceptionMapper
  Response forbidden(ForbiddenException e) {
    return body(403, "forbidden", "not allowed");
  }

  @ServerExceptionMapper
  Response malformedJson(JsonProcessingException e) {
    return body(
        400,
        "malformed_json",
        "request body is not valid JSON for this endpoint: " + e.getOriginalMessage());
  }

  @ServerExceptionMapper
  Response web(WebApplicationException e) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    String code = status.getReasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    return body(status.getStatusCode(), code, status.getReasonPhrase());
  }

  @ServerExceptionMapper
  Response unexpected(Exception e) {
    String ref = UUID.randomUUID().toString();
    LOG.errorf(e, "Unexpected failure, ref %s", ref);
    return body(500, "internal", "internal error, ref " + ref);
  }

  private static Response body(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(code, message))
        .build();
  }
}
