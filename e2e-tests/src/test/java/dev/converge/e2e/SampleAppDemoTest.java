package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.sample.Demo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sample app's two-device demo, in-process, against this server and the real PostgreSQL. */
class SampleAppDemoTest {

  private final URI server = TestServer.uri();

  @Test
  void theDemo_convergesBothDevices_andExplainsEachConflict() throws Exception {
    URI sync = URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    String user = TestTokens.subject("demo");

    Demo.Result result;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      result = new Demo(sync, subject -> () -> TestTokens.mint(subject), out).run(user);
    }

    assertThat(result.user()).isEqualTo(user);
    assertThat(result.cart()).containsExactly(Map.entry("coffee", 3L), Map.entry("tea", 1L));
    assertThat(result.profile())
        .containsExactly(Map.entry("city", "Lisbon"), Map.entry("name", "Grace"));
    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    // everything after the header (server, user and replica ids) is the same on every run
    assertThat(lines.subList(5, lines.size()))
        .containsExactly(
            "",
            "1. Both online: the phone adds 1 tea; the laptop receives it.",
            "   laptop cart: tea 1",
            "2. The phone goes offline.",
            "3. Both edit at the same time:",
            "   phone  (offline): add 2 coffee, add 1 tea, name = Ada, city = Lisbon",
            "   laptop (online):  add 1 coffee, remove tea, name = Grace",
            "   phone  sees: coffee 2, tea 2; city = Lisbon, name = Ada",
            "   laptop sees: coffee 1; name = Grace",
            "4. The phone comes back online; both sync until they agree.",
            "",
            "Merged result, the same on both devices:",
            "  cart:    coffee 3, tea 1",
            "  profile: city = Lisbon, name = Grace",
            "Conflicts and how they were resolved:",
            "  - coffee: added on both devices at once (phone +2, laptop +1) -> concurrent adds add up: 3",
            "  - tea: the laptop removed it while the offline phone added 1 more -> an add wins over a concurrent"
                + " remove, the unit the laptop never saw stays: 1",
            "  - profile.name: the laptop wrote \"Grace\", the phone wrote \"Ada\" concurrently -> last writer wins:"
                + " \"Grace\" (the laptop wrote later); \"Ada\" stays listed as a conflict until the field is set again");
    assertThat(lines.subList(0, 5))
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .isEqualTo(
                        "Converge demo: one user, two devices, one of them offline for a while"),
            l -> assertThat(l).isEqualTo("  server  " + sync),
            l -> assertThat(l).isEqualTo("  user    " + user),
            l -> assertThat(l).startsWith("  phone   replica "),
            l -> assertThat(l).startsWith("  laptop  replica "));
    assertThat(result.conflicts()).hasSize(3);
  }
}
