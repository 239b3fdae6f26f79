package dev.converge.server.db;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Drops the per-connection gauges of the reactive PostgreSQL client.
 *
 * <p>Quarkus' Vert.x metrics create one client-metrics object per physical connection, each
 * registering the gauges {@code postgresql.queue.size} and {@code postgresql.current} under the
 * same name and tags. Micrometer keeps only the first connection's gauge, so the figure describes
 * one connection of the pool, and it logs a duplicate-registration warning when the pool opens its
 * second connection. The client's timers and counters are shared by all connections and stay.
 *
 * <p>Thread-safe: stateless.
 */
@Singleton
public class ConnectionGauges {

  /** Returns the filter that denies the database client's per-connection gauges. */
  @Produces
  @Singleton
  MeterFilter denyPerConnectionGauges() {
    return new MeterFilter() {
      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return id.getType() == Meter.Type.GAUGE && "sql".equals(id.getTag("clientType"))
            ? MeterFilterReply.DENY
            : MeterFilterReply.NEUTRAL;
      }
    };
  }
}
