package dev.converge.server.space;

import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The spaces a token grants: the subject's own {@code user:<sub>} plus the shared spaces of its
 * {@code spaces} claim (DESIGN.md section 4). Every push, pull and subscription is checked against
 * it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param subject the token's subject
 * @param spaces every granted space, sorted, including {@code user:<sub>}
 */
public record SpaceGrants(String subject, SortedSet<String> spaces) {

  /** Name of the claim that lists the granted shared spaces. */
  public static final String CLAIM = "spaces";

  /** Prefix of a subject's own space. */
  public static final String USER_SPACE_PREFIX = "user:";

  /** Copies {@code spaces} and adds the subject's own space. */
  public SpaceGrants {
    var all = new TreeSet<>(spaces);
    all.add(USER_SPACE_PREFIX + subject);
    spaces = Collections.unmodifiableSortedSet(all);
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
    Object claim = token.getClaim(CLAIM);
    if (claim instanceof JsonArray array) {
      for (JsonValue v : array) {
        if (v instanceof JsonString s) {
          shared.add(s.getString());
        }
      }
    } else if (claim instanceof JsonString s) {
      shared.add(s.getString());
    } else if (claim instanceof Collection<?> values) {
      values.forEach(v -> shared.add(String.valueOf(v)));
    } else if (claim instanceof String s) {
      shared.add(s);
    }
    return new SpaceGrants(subject, shared);
  }

  /** Returns the subject's own space, {@code user:<sub>}. */
  public String ownSpace() {
    return USER_SPACE_PREFIX + subject;
  }

  /** Whether the token grants {@code space}. */
  public boolean allows(String space) {
    return spaces.contains(space);
  }
}
