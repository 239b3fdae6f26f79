package dev.converge.core.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import java.io.IOException;

/**
 * The wire form of a counter's entries ({@code "e"} of a {@code ctr} value), in key order: a single
 * increment as {@code [replica, counter, amount]}, a run as {@code [replica, first, last, sum]}.
 * Runs are an additive form: every encoding without them reads as before. {@link DocumentReader}
 * decodes both.
 */
final class CounterEncoding {

  /** The shape of a single increment, as error messages have named it since protocol 1. */
  static final String SINGLE_SHAPE = "[replica, counter, value]";

  /** The shape of a run, for error messages. */
  static final String RUN_SHAPE = "[replica, first, last, sum]";

  private CounterEncoding() {}

  /** Writes the entries of {@code counter} as a JSON array. */
  static void write(JsonGenerator gen, CounterValue counter) throws IOException {
    gen.writeStartArray();
    for (CounterEntry entry : counter.entries().values()) {
      gen.writeStartArray();
      gen.writeString(entry.replica());
      if (entry.isRun()) {
        gen.writeNumber(entry.first());
      }
      gen.writeNumber(entry.last());
      gen.writeNumber(entry.sum());
      gen.writeEndArray();
    }
    gen.writeEndArray();
  }
}
