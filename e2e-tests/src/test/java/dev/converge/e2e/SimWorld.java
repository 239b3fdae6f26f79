package dev.converge.e2e;

import dev.converge.core.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What every part of one simulated run shares: time, network, history, figures and the seed. */
final class SimWorld {
  final long seed;
  final SimLoop loop = new SimLoop();
  final StormHistory history = new StormHistory();
  final SimFigures figures = new SimFigures();
  final ProtocolCodec codec = new ProtocolCodec();
  final List<String> problems = new ArrayList<>();
  SimNet net;

  /** The known bug planted in this run (see {@link SimServer#plant(String)}); empty for none. */
  String plant = "";

  /** Per space and sku, the next bit an exact-cart add uses (each bit of a sku added once). */
  final Map<String, Integer> skuBits = new HashMap<>();

  /** Unique values and elements. */
  long unique;

  SimWorld(long seed) {
    this.seed = seed;
  }
}
