package dev.converge.server.space;

import dev.converge.core.server.SpaceRole;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The spaces a token grants, and the role in each: the subject's own {@code user:<sub>} (always
 * write) plus the shared spaces of its {@code spaces} claim ({@code docs/access-control.md}). The
 * claim is either a list of spaces, each granted for writing, or an object from space to role,
 * {@code {"team:1": "read", "team:2": "write"}}; a role other than {@code read} or {@code write}
 * grants nothing (an issuer's typo must not widen access). Every push, pull and subscription is
 * checked against it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param subject the token's subject
 * @param spaces every granted space, sorted, including {@code user:<sub>}
 * @param readOnly the granted spaces the token may read but not write, sorted
 */
public record SpaceGrants(String subject, SortedSet<String> spaces, SortedSet<String> readOnly) {

  /** Name of the claim that lists the granted shared spaces. */
  public static final String CLAIM = "spaces";

  /** Prefix of a subject's own space. */
  public static final String USER_SPACE_PREFIX = "user:";

  /**
   * Spaces whose names start with this are reserved for the server's own jobs: no token grants one,
   * except the canary's own space to the canary's subject.
   */
  public static final String RESERVED_PREFIX = "converge:";

  /** The subject of the canary's tokens (docs/operations.md "Canary"). */
  public static final String CANARY_SUBJECT = "converge:canary";

  /** The space the canary writes to and reads from. */
  public static final String CANARY_SPACE = "converge:canary";

  /** Grants every space of {@code spaces} for writing, and the subject's own space. */
  public SpaceGrants(String subject, SortedSet<String> spaces) {
    this(subject, spaces, Collections.emptySortedSet());
  }

  /** Copies the sets and adds the subject's own space, for writing. */
  public SpaceGrants {
    var all = new TreeSet<>(spaces);
    all.addAll(readOnly);
    all.add(USER_SPACE_PREFIX + subject);
    spaces = Collections.unmodifiableSortedSet(all);
    var read = new TreeSet<>(readOnly);
    read.remove(USER_SPACE_PREFIX + subject);
    readOnly = Collections.unmodifiableSortedSet(read);
  }

  /**
   * Reads the grants of a verified token.
   *
   * @param token a token SmallRye JWT has verified
   * @return its grants; a missing {@code spaces} claim grants only the subject's own space
   * @throws IllegalArgumentException if the token has no subject
   */
  public static SpaceGrants of(JsonWebToken token) {
    String subject = token.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("token has no subject");
    }
    var shared = new TreeSet<String>();
    var readOnly = new TreeSet<String>();
    Object claim = token.getClaim(CLAIM);
    if (claim instanceof JsonObject roles) {
      roles.forEach((space, role) -> grant(space, role, shared, readOnly));
    } else if (claim instanceof JsonArray array) {
      for (JsonValue v : array) {
        if (v instanceof JsonString s) {
          shared.add(s.getString());
        }
      }
    } else if (claim instanceof JsonString s) {
      shared.add(s.getString());
    } else if (claim instanceof Map<?, ?> roles) {
      roles.forEach((space, role) -> grant(String.valueOf(space), role, shared, readOnly));
    } else if (claim instanceof Collection<?> values) {
      values.forEach(v -> shared.add(String.valueOf(v)));
    } else if (claim instanceof String s) {
      shared.add(s);
    }
    // A reserved space is never granted to a normal user, whatever the token's claim says.
    shared.removeIf(space -> reservedFor(subject, space));
    readOnly.removeIf(space -> reservedFor(subject, space));
    return new SpaceGrants(subject, shared, readOnly);
  }

  private static boolean reservedFor(String subject, String space) {
    return space.startsWith(RESERVED_PREFIX)
        && !(subject.equals(CANARY_SUBJECT) && space.equals(CANARY_SPACE));
  }

  private static void grant(
      String space, Object role, SortedSet<String> write, SortedSet<String> read) {
    String name = role instanceof JsonString s ? s.getString() : String.valueOf(role);
    switch (name) {
      case "write" -> write.add(space);
      case "read" -> read.add(space);
      default -> {
        // an unknown role grants nothing
      }
    }
  }

  /** Returns the subject's own space, {@code user:<sub>}. */
  public String ownSpace() {
    return USER_SPACE_PREFIX + subject;
  }

  /** Whether the token grants {@code space} (for reading at least). */
  public boolean allows(String space) {
    return spaces.contains(space);
  }

  /** Returns the token's role in {@code space}, or null where it grants none. */
  public SpaceRole role(String space) {
    if (!spaces.contains(space)) {
      return null;
    }
    return readOnly.contains(space) ? SpaceRole.READ : SpaceRole.WRITE;
  }
}
