package dev.converge.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The line editor on a terminal: while a line is being typed, lines printed from other threads and
 * status changes redraw the prompt as the state is now, never the state from when the line began.
 */
class ShellConsoleEditorTest {

  private final AtomicReference<String> state = new AtomicReference<>("[offline, 2 pending]");
  private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
  private PipedOutputStream keys;
  private ShellConsole console;
  private CompletableFuture<String> typed;

  @BeforeEach
  void aLineBeingTyped() throws Exception {
    keys = new PipedOutputStream();
    Terminal terminal =
        TerminalBuilder.builder()
            .system(false)
            .streams(new PipedInputStream(keys), screen)
            .type("dumb")
            .dumb(true)
            .encoding(StandardCharsets.UTF_8)
            .build();
    console = ShellConsole.editor(terminal, CartShell.COMMANDS);
    typed =
        CompletableFuture.supplyAsync(
            () -> console.readLine(() -> "alice@phone " + state.get() + "> "));
    awaitScreen("alice@phone [offline, 2 pending]> ");
  }

  @AfterEach
  void close() throws IOException {
    keys.close();
    console.close();
  }

  @Test
  void aBackgroundLine_isFollowedByThePromptAsItIsNow() throws Exception {
    state.set("[online]");
    console.printAsync("<< from another device: cart is now coffee 4");
    awaitScreen("alice@phone [online]> ");

    String shown = shown();
    String after = shown.substring(shown.indexOf("<< from another device: cart is now coffee 4"));
    assertThat(after).contains("alice@phone [online]> ").doesNotContain("2 pending");
    type("cart\n");
    assertThat(typed.get(10, TimeUnit.SECONDS)).isEqualTo("cart");
  }

  @Test
  void aStatusChange_redrawsThePrompt_keepingWhatWasTyped() throws Exception {
    type("add cof");
    Thread.sleep(200); // the editor takes the keys in
    state.set("[online]");
    console.refreshPrompt();
    awaitScreen("alice@phone [online]> ");

    type("fee\n");
    assertThat(typed.get(10, TimeUnit.SECONDS)).isEqualTo("add coffee");
  }

  private void type(String text) throws IOException {
    keys.write(text.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  private String shown() {
    synchronized (screen) {
      return screen.toString(StandardCharsets.UTF_8);
    }
  }

  private void awaitScreen(String expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!shown().contains(expected) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(shown()).as("the screen shows %s", expected).contains(expected);
  }
}
