package dev.converge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes objects of one {@code helm template} run, parsed from its multi-document YAML.
 *
 * <p>Thread safety: immutable.
 */
record Manifests(String yaml, List<JsonNode> objects) {

  /** Parses rendered output; empty documents (templates that rendered nothing) are dropped. */
  static Manifests parse(String yaml) {
    List<JsonNode> objects = new ArrayList<>();
    try (JsonParser parser = ChartUnderTest.YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> docs = ChartUnderTest.YAML.readValues(parser, JsonNode.class)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && doc.isObject() && doc.has("kind")) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered chart is not valid YAML:\n" + yaml, e);
    }
    return new Manifests(yaml, List.copyOf(objects));
  }

  /** All objects of {@code kind}. */
  List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  /** The single object of {@code kind}, if rendered; fails if there are several. */
  Optional<JsonNode> optional(String kind) {
    List<JsonNode> found = all(kind);
    assertThat(found).as("objects of kind %s", kind).hasSizeLessThanOrEqualTo(1);
    return found.stream().findFirst();
  }

  /** The single object of {@code kind}; fails if absent. */
  JsonNode one(String kind) {
    return optional(kind).orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
  }

  /** The object of {@code kind} called {@code name}. */
  JsonNode named(String kind, String name) {
    return all(kind).stream()
        .filter(o -> name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  JsonNode deployment() {
    return one("Deployment");
  }

  JsonNode podSpec() {
    return deployment().path("spec").path("template").path("spec");
  }

  /** The server container (the pod has exactly one). */
  JsonNode container() {
    JsonNode containers = podSpec().path("containers");
    assertThat(containers.size()).as("containers in the pod").isEqualTo(1);
    return containers.get(0);
  }

  /**
   * Every environment variable the container gets: data of the ConfigMaps it loads with envFrom,
   * then its env entries (which win, as in Kubernetes). Values are the literal value, or a
   * description of the reference for valueFrom entries.
   */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container().path("envFrom")) {
      String name = from.path("configMapRef").path("name").asText(null);
      assertThat(name).as("envFrom entries are ConfigMap references").isNotNull();
      named("ConfigMap", name)
          .path("data")
          .properties()
          .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    for (JsonNode e : container().path("env")) {
      env.put(
          e.path("name").asText(),
          e.has("value") ? e.path("value").asText() : "valueFrom:" + e.path("valueFrom"));
    }
    return env;
  }
}
