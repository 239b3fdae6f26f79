package dev.converge.bench.sdk;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The most heap used between {@link #start} and {@link #stop}: the sum of the heap pools' peak
 * usages (an upper bound, since the pools need not peak at the same moment).
 */
final class HeapPeak {

  private HeapPeak() {}

  static HeapPeak start() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    return new HeapPeak();
  }

  /** Bytes: the sum of the heap pools' peaks since {@link #start}. */
  long stop() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
