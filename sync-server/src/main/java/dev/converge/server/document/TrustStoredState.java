package dev.converge.server.document;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Set;

/**
 * The {@link DocumentVerifier} used when no other is deployed: it takes {@code doc_state} as
 * correct and rebuilds nothing.
 */
@DefaultBean
@ApplicationScoped
public class TrustStoredState implements DocumentVerifier {

  @Override
  public Uni<Set<DocKey>> verify(String space, Collection<DocKey> docs) {
    return Uni.createFrom().item(Set.of());
  }
}
