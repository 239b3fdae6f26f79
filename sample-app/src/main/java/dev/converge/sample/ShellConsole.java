package dev.converge.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.reader.impl.completer.ArgumentCompleter;
import org.jline.reader.impl.completer.NullCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Where the shell reads its commands and writes its output: a line editor on a real terminal, plain
 * lines otherwise (pipes and tests). Implementations are thread-safe for output, so that listener
 * threads can print while the shell waits for input.
 */
interface ShellConsole extends AutoCloseable {

  /**
   * Shows the prompt and returns the next line, or null at the end of the input. The prompt is
   * asked for again whenever it is redrawn, so it shows the state of that moment.
   */
  String readLine(Supplier<String> prompt);

  /** Prints one line of command output. */
  void println(String line);

  /**
   * Prints a line from another thread, keeping the line being edited intact; the prompt below it is
   * redrawn as it is now (not as it was when the line began).
   */
  void printAsync(String line);

  /** Redraws the prompt of the line being edited, if any, as it is now; from any thread. */
  void refreshPrompt();

  @Override
  void close();

  /** Reads plain lines from a stream and writes to a print stream; for pipes and tests. */
  static ShellConsole plain(InputStream in, PrintStream out) {
    return new Plain(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out);
  }

  /**
   * Opens a JLine line editor (history, editing keys, completion of command names) on the system
   * terminal.
   *
   * @throws UncheckedIOException if the terminal cannot be opened
   */
  static ShellConsole terminal(List<String> commands) {
    try {
      return editor(TerminalBuilder.builder().system(true).build(), commands);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens a JLine line editor on {@code terminal}; see {@link #terminal(List)}. */
  static ShellConsole editor(Terminal terminal, List<String> commands) {
    LineReader reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("converge-cart")
            .completer(
                new ArgumentCompleter(new StringsCompleter(commands), NullCompleter.INSTANCE))
            .build();
    return new Editor(terminal, reader);
  }

  /** Plain line reading. */
  final class Plain implements ShellConsole {
    private final BufferedReader in;
    private final PrintStream out;

    Plain(BufferedReader in, PrintStream out) {
      this.in = in;
      this.out = out;
    }

    @Override
    public String readLine(Supplier<String> prompt) {
      synchronized (out) {
        out.print(prompt.get());
        out.flush();
      }
      try {
        return in.readLine();
      } catch (IOException e) {
        return null; // an unreadable input ends the session like its end does
      }
    }

    @Override
    public void println(String line) {
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    }

    /** Plain output has no line being edited: the line is printed, the prompt is not redrawn. */
    @Override
    public void printAsync(String line) {
      println(line);
    }

    @Override
    public void refreshPrompt() {
      // pipes and tests read the prompt once per line; redrawing it would only add noise
    }

    @Override
    public void close() {
      out.flush();
    }
  }

  /** JLine on a terminal. */
  final class Editor implements ShellConsole {
    private final Terminal terminal;
    private final LineReader reader;
    private volatile Supplier<String> prompt = () -> "";

    Editor(Terminal terminal, LineReader reader) {
      this.terminal = terminal;
      this.reader = reader;
    }

    @Override
    public String readLine(Supplier<String> prompt) {
      this.prompt = prompt;
      try {
        return reader.readLine(prompt.get());
      } catch (UserInterruptException e) {
        return ""; // Ctrl-C drops the line being typed; quit or Ctrl-D leave
      } catch (EndOfFileException e) {
        return null;
      }
    }

    @Override
    public void println(String line) {
      synchronized (terminal) {
        terminal.writer().println(line);
        terminal.writer().flush();
      }
    }

    @Override
    public void printAsync(String line) {
      // printAbove redraws the prompt it holds: give it the current one first, or it shows the
      // state from when the line began (such as a stale "[offline, 2 pending]")
      updatePrompt();
      reader.printAbove(line);
    }

    @Override
    public void refreshPrompt() {
      if (updatePrompt()) {
        try {
          reader.callWidget(LineReader.REDRAW_LINE);
          reader.callWidget(LineReader.REDISPLAY);
        } catch (IllegalStateException e) {
          // the line was submitted meanwhile: the next prompt is drawn fresh anyway
        }
      }
    }

    /** Sets the reader's prompt to the current one; returns whether a line is being edited. */
    private boolean updatePrompt() {
      if (reader instanceof LineReaderImpl impl && impl.isReading()) {
        impl.setPrompt(prompt.get());
        return true;
      }
      return false;
    }

    @Override
    public void close() {
      try {
        terminal.close();
      } catch (IOException e) {
        // closing a terminal on exit: nothing useful to do about a failure
      }
    }
  }
}
