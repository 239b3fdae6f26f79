package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The top README tells the sample app's two-device story in a paragraph, the sample's README step
 * by step: both give the same commands in the same order and end with the same cart.
 */
class TwoDeviceStoryTest {

  private static final Pattern COMMAND =
      Pattern.compile(
          "`((?:add|qty|remove|cart|profile|conflicts|status|offline|online|sync)\\b[^`]*)`");

  @Test
  void bothReadmes_tellTheSameTwoDeviceStory() throws IOException {
    String top =
        section(Files.readString(Path.of("../README.md")), "## Try it: two devices", "demo`");
    String sample =
        section(
            Files.readString(Path.of("../sample-app/README.md")),
            "## Try it: two devices",
            "\n9. ");

    assertThat(commands(top)).isNotEmpty().isEqualTo(commands(sample));
    assertThat(top).contains("coffee 4 and tea 1", "Grace");
    assertThat(sample).contains("coffee  4", "tea     1", "Grace");
  }

  private static String section(String text, String from, String to) {
    int start = text.indexOf(from);
    assertThat(start).as("%s is in the README", from).isNotNegative();
    int end = text.indexOf(to, start);
    assertThat(end).as("%s follows %s", to, from).isGreaterThan(start);
    return text.substring(start, end);
  }

  private static List<String> commands(String text) {
    List<String> found = new ArrayList<>();
    Matcher m = COMMAND.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }
}
