package dev.converge.server.sync;

import dev.converge.core.crdt.ReplicaIds;
import jakarta.enterprise.context.ApplicationScoped;

/** This node's identifier, sent in {@code welcome}: configured, or random per process. */
@ApplicationScoped
public class ServerIdentity {

  private final String id;

  ServerIdentity(SyncSettings settings) {
    this.id = settings.serverId().orElseGet(() -> "server-" + ReplicaIds.random().substring(0, 8));
  }

  /** Returns the node id. */
  public String id() {
    return id;
  }
}
