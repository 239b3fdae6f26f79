package dev.converge.server.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Gives a token rejected by proactive authentication (bad signature, expired, wrong issuer or
 * audience) the same {@code {code, message}} body as {@link ErrorMapper}: such a failure happens
 * before any REST resource, so no JAX-RS mapper sees it.
 */
@ApplicationScoped
public class AuthFailureHandler {

  private final String body;

  AuthFailureHandler(ObjectMapper json) throws JsonProcessingException {
    this.body =
        json.writeValueAsString(
            new ErrorBody(ErrorMapper.UNAUTHENTICATED, ErrorMapper.UNAUTHENTICATED_MESSAGE));
  }

  void register(@Observes Router router) {
    router
        .route()
        .failureHandler(
            ctx -> {
              if (ctx.failure() instanceof AuthenticationFailedException
                  && !ctx.response().ended()) {
                ctx.response()
                    .setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader("WWW-Authenticate", "Bearer")
                    .end(body);
              } else {
                ctx.next();
              }
            });
  }
}
