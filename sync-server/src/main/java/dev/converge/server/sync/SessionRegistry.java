package dev.converge.server.sync;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of this node by subscribed space, so that a commit in a space wakes exactly the
 * sessions that follow it. Thread-safe.
 */
@ApplicationScoped
public class SessionRegistry {

  private final ConcurrentHashMap<String, Set<SyncSession>> bySpace = new ConcurrentHashMap<>();
  private final Set<SyncSession> all = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Integer> perSubject = new ConcurrentHashMap<>();
  private final SpaceLogCache cache;

  SessionRegistry(SpaceLogCache cache) {
    this.cache = cache;
  }

  /**
   * Registers a new session.
   *
   * @return the number of open sessions of its token subject on this node, itself included
   */
  int open(SyncSession session) {
    all.add(session);
    return perSubject.merge(session.grants().subject(), 1, Integer::sum);
  }

  void subscribe(SyncSession session, String space) {
    bySpace.computeIfAbsent(space, s -> ConcurrentHashMap.newKeySet()).add(session);
  }

  void unsubscribe(SyncSession session, String space) {
    bySpace.computeIfPresent(
        space,
        (s, sessions) -> {
          sessions.remove(session);
          if (sessions.isEmpty()) {
            cache.forget(space);
            return null;
          }
          return sessions;
        });
  }

  void close(SyncSession session) {
    if (all.remove(session)) {
      perSubject.computeIfPresent(
          session.grants().subject(), (subject, n) -> n <= 1 ? null : n - 1);
    }
    session.spaces().forEach(space -> unsubscribe(session, space));
  }

  /** Wakes every session of this node that follows {@code space}. */
  public void wake(String space) {
    cache.invalidate(space);
    Set<SyncSession> sessions = bySpace.get(space);
    if (sessions != null) {
      sessions.forEach(session -> session.wake(space));
    }
  }

  /**
   * Tells every session of this node that follows {@code space} that the space is gone (erased):
   * each stops following it and is sent {@code revoked}, so its device purges the space.
   */
  public void revoke(String space) {
    Set<SyncSession> sessions = bySpace.remove(space);
    cache.forget(space);
    if (sessions != null) {
      sessions.forEach(session -> session.revoke(space));
    }
  }

  /** Wakes every session for every space it follows (after a missed notification). */
  public void wakeAll() {
    bySpace.keySet().forEach(this::wake);
  }

  /** Returns the sessions of this node that follow {@code space} (a live, read-only view). */
  Set<SyncSession> sessionsOf(String space) {
    Set<SyncSession> sessions = bySpace.get(space);
    return sessions == null ? Set.of() : java.util.Collections.unmodifiableSet(sessions);
  }

  /** Returns the spaces followed by at least one session of this node. */
  public List<String> spaces() {
    return List.copyOf(bySpace.keySet());
  }

  /** Returns the number of open sessions. */
  public int size() {
    return all.size();
  }

  /** Returns the open sessions. */
  public Set<SyncSession> sessions() {
    return Set.copyOf(all);
  }
}
