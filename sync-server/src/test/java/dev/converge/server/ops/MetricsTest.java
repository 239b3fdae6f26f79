package dev.converge.server.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The sync metrics the operations guide names are exported. */
@QuarkusTest
class MetricsTest {

  @Test
  void syncMetrics_areExported() {
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("converge_sessions"))
        .body(containsString("converge_changesets_applied_total"))
        .body(containsString("converge_push_apply_seconds_bucket"))
        .body(containsString("converge_fanout_delay_seconds_bucket"))
        .body(containsString("converge_log_size"))
        .body(containsString("converge_conflicts_created_total"));
  }
}
