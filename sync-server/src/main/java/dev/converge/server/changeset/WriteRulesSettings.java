package dev.converge.server.changeset;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The write rules of each collection ({@code converge.rules.*}): which field types its documents
 * accept and how big they may grow. The cart and profile schemas ship as defaults in {@code
 * application.properties}:
 *
 * <pre>
 * converge.rules.collections.carts.fields.items=map&lt;{qty: ctr}&gt;
 * converge.rules.collections.profiles.fields."*"=reg
 * </pre>
 *
 * A field's type is an expression of {@link dev.converge.core.server.FieldType}; {@code "*"} names
 * every field not listed, and a collection with fields but without {@code "*"} refuses unlisted
 * ones. A collection without fields accepts any.
 */
@ConfigMapping(prefix = "converge.rules")
public interface WriteRulesSettings {

  /** The rule of each collection that has one, by collection name. */
  Map<String, Collection> collections();

  /** The largest encoded document (UTF-8 bytes) of a collection without its own bound; 0: none. */
  @WithDefault("4194304")
  long maxDocumentBytes();

  /** One collection's rule. */
  interface Collection {
    /** The type of each top-level field, by name; {@code "*"} for every other name. */
    Map<String, String> fields();

    /** The largest encoded document of this collection; default: the global bound. */
    OptionalLong maxDocumentBytes();
  }
}
