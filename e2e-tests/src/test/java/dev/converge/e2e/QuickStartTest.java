package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first program, compiled by this build, run as its own process against the packaged
 * server exactly as the README says (tokens from the server's data directory, a database file in
 * the working directory): it must exit 0 with alice's cart holding two more coffees on the server.
 */
class QuickStartTest {

  @TempDir Path workDir;

  @Test
  void theReadmeProgram_syncsACart_throughTheRealServer() throws Exception {
    URI base = TestServer.uri();
    String token = TestTokens.mint("alice");
    long before = coffeeOnServer(token);

    Process process = launch(base);
    boolean exited = process.waitFor(120, TimeUnit.SECONDS);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!exited) {
      process.destroyForcibly();
    }

    assertThat(exited).as("the program exits within two minutes; printed:%n%s", output).isTrue();
    assertThat(process.exitValue()).as("exit status; printed:%n%s", output).isZero();
    assertThat(output).contains("coffee in alice's cart: ");
    assertThat(coffeeOnServer(token)).isEqualTo(before + 2);
    assertThat(workDir.resolve("alice-phone.db")).exists();
  }

  private Process launch(URI base) throws IOException {
    String sync = base.toString().replaceFirst("^http", "ws") + "v1/sync";
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    CartQuickStart.class.getName(),
                    sync))
            .directory(workDir.toFile())
            .redirectErrorStream(true);
    builder.environment().put("CONVERGE_DATA_DIR", TestServer.DATA_DIR.toString());
    return builder.start();
  }

  private static long coffeeOnServer(String token) {
    int status =
        given()
            .auth()
            .oauth2(token)
            .get("/v1/spaces/user:alice/documents/carts/main")
            .then()
            .extract()
            .statusCode();
    if (status == 404) {
      return 0;
    }
    Object qty =
        given()
            .auth()
            .oauth2(token)
            .get("/v1/spaces/user:alice/documents/carts/main")
            .then()
            .statusCode(200)
            .extract()
            .path("value.items.coffee.qty");
    return qty == null ? 0 : ((Number) qty).longValue();
  }
}
