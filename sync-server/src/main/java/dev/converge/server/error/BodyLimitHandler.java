package dev.converge.server.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a request whose declared body is larger than {@code quarkus.http.limits.max-body-size}
 * with 413 and the {@code {code: "too_large", message}} body. Quarkus refuses such a request too,
 * but with an empty body; this route runs just before its check, so every failure keeps the one
 * error shape. The connection is closed after the answer: the body is not read.
 */
@ApplicationScoped
public class BodyLimitHandler {

  /** Quarkus' own limit check is a route of order -2. */
  private static final int ORDER = -3;

  private final Optional<Long> maxBytes;
  private final ObjectMapper json;

  BodyLimitHandler(
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize,
      ObjectMapper json) {
    this.maxBytes = maxBodySize.map(MemorySize::asLongValue);
    this.json = json;
  }

  void register(@Observes Router router) {
    if (maxBytes.isEmpty()) {
      return;
    }
    long max = maxBytes.get();
    router
        .route()
        .order(ORDER)
        .handler(
            ctx -> {
              String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
              long declared;
              try {
                declared = length == null ? -1 : Long.parseLong(length.strip());
              } catch (NumberFormatException e) {
                declared = -1; // Vert.x refuses a malformed length itself
              }
              if (declared <= max) {
                ctx.next();
                return;
              }
              String body;
              try {
                body =
                    json.writeValueAsString(
                        new ErrorBody(
                            "too_large",
                            "request body of "
                                + declared
                                + " bytes exceeds the limit of "
                                + max
                                + " bytes"));
              } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
              }
              ctx.response()
                  .setStatusCode(413)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                  .putHeader(HttpHeaders.CONNECTION, "close")
                  .end(body);
            });
  }
}
