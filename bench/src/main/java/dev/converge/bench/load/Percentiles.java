package dev.converge.bench.load;

import java.util.Arrays;

/** Percentiles of recorded samples, in milliseconds. Thread-safe. */
final class Percentiles {
  private long[] samples = new long[1024];
  private int size;

  synchronized void record(long nanos) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = nanos;
  }

  synchronized int count() {
    return size;
  }

  synchronized String summary() {
    if (size == 0) {
      return "no samples";
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    return String.format(
        "n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms",
        size, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), sorted[size - 1] / 1e6);
  }

  /** The q-quantile (nearest rank) in milliseconds; q = 1 is the maximum, NaN without samples. */
  synchronized double percentileMs(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    return ms(sorted, q);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
