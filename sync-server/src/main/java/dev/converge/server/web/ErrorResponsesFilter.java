package dev.converge.server.web;

import dev.converge.server.error.ErrorBody;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Gives every operation of the API description the error responses the server really sends, each
 * with the {@link ErrorBody} schema: 401 (every operation needs a token), 403 when declared or
 * added by security, 500, and whatever 4xx an operation declares without a body. Generated clients
 * then decode every failure the same way. Applies to operations added later too, so a new endpoint
 * declares only its own codes (a build-time filter, so the stored {@code target/openapi} has it
 * too).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ErrorResponsesFilter implements OASFilter {

  static final String UNAUTHENTICATED = "unauthenticated: missing, invalid or expired bearer token";
  static final String FORBIDDEN = "forbidden: the token does not allow this";
  static final String INTERNAL =
      "internal: an unexpected failure; the message carries a reference to the server's log";

  @Override
  public void filterOpenAPI(OpenAPI api) {
    if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
      return;
    }
    for (PathItem item : api.getPaths().getPathItems().values()) {
      for (Operation operation : item.getOperations().values()) {
        complete(operation);
      }
    }
  }

  private static void complete(Operation operation) {
    APIResponses responses = operation.getResponses();
    if (responses == null) {
      responses = OASFactory.createAPIResponses();
      operation.setResponses(responses);
    }
    addIfMissing(responses, "401", UNAUTHENTICATED);
    addIfMissing(responses, "403", FORBIDDEN);
    addIfMissing(responses, "500", INTERNAL);
    for (Map.Entry<String, APIResponse> entry : responses.getAPIResponses().entrySet()) {
      String code = entry.getKey();
      APIResponse response = entry.getValue();
      if (!code.startsWith("4") && !code.startsWith("5")) {
        continue;
      }
      // the defaults Quarkus adds for secured operations say nothing of the body or the code
      if ("Not Authorized".equals(response.getDescription())) {
        response.setDescription(UNAUTHENTICATED);
      } else if ("Not Allowed".equals(response.getDescription())) {
        response.setDescription(FORBIDDEN);
      }
      response.setContent(errorContent());
    }
  }

  private static void addIfMissing(APIResponses responses, String code, String description) {
    if (!responses.hasAPIResponse(code)) {
      responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
    }
  }

  private static Content errorContent() {
    return OASFactory.createContent()
        .addMediaType(
            "application/json",
            OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/ErrorBody")));
  }
}
