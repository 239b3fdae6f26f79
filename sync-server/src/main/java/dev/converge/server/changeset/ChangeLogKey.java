package dev.converge.server.changeset;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.io.Serializable;
import java.util.Objects;

/** Identifies a logged change: (space, serverSeq). */
@Embeddable
public class ChangeLogKey implements Serializable {
  private static final long serialVersionUID = 1L;

  @Column(name = "space")
  public String space;

  @Column(name = "server_seq")
  public long serverSeq;

  /** For JPA. */
  public ChangeLogKey() {}

  /** Creates a key. */
  public ChangeLogKey(String space, long serverSeq) {
    this.space = space;
    this.serverSeq = serverSeq;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChangeLogKey k && space.equals(k.space) && serverSeq == k.serverSeq;
  }

  @Override
  public int hashCode() {
    return Objects.hash(space, serverSeq);
  }
}
