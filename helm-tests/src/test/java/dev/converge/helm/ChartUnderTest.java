package dev.converge.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code helm/sync-server} chart as the tests see it: where it lives, the values every release
 * must supply, and rendering through helm-java (Helm as a library, no binary).
 *
 * <p>Thread safety: immutable after class initialisation; rendering creates no shared state.
 */
final class ChartUnderTest {

  /** The chart directory, passed by surefire; falls back to the path relative to this module. */
  static final Path CHART =
      Path.of(System.getProperty("converge.chart.dir", "../helm/sync-server"))
          .toAbsolutePath()
          .normalize();

  /** The sync-server module, whose configuration the chart must match. */
  static final Path SERVER =
      Path.of(System.getProperty("converge.server.dir", "../sync-server"))
          .toAbsolutePath()
          .normalize();

  static final String RELEASE = "converge";
  static final String NAMESPACE = "sync";
  static final String FULLNAME = "converge-sync-server";
  static final String KUBE_VERSION = "v1.30.0";

  /** Distinctive, so that a leak into any non-Secret object is easy to find. */
  static final String DB_PASSWORD = "pw-Z4q9-never-in-a-configmap";

  static final String DB_URL = "postgresql://db.test.svc:5432/converge";
  static final String JWT_ISSUER = "https://auth.test/realms/converge";

  /** A real RSA public key, PEM-encoded as an identity provider would publish it. */
  static final String JWT_PUBLIC_KEY_PEM = newPublicKeyPem();

  /** The production example shipped next to the chart. */
  static final Path PRODUCTION_VALUES = CHART.resolve("values-production.yaml");

  static final ObjectMapper YAML = new YAMLMapper();

  /** A values file holding only what the chart requires: database and JWT settings. */
  static final Path REQUIRED_VALUES = writeRequiredValues();

  private ChartUnderTest() {}

  /** The required values as a tree, for merging into other values. */
  static ObjectNode requiredValues() {
    ObjectNode root = YAML.createObjectNode();
    root.putObject("database")
        .put("url", DB_URL)
        .put("user", "converge")
        .put("password", DB_PASSWORD);
    root.putObject("jwt").put("issuer", JWT_ISSUER).put("publicKey", JWT_PUBLIC_KEY_PEM);
    return root;
  }

  /** Renders with the chart's defaults plus the required values plus {@code sets} (--set). */
  static Manifests render(Map<String, ?> sets) {
    return render(List.of(REQUIRED_VALUES), sets);
  }

  /** Renders with the given values files (in order) plus {@code sets}. */
  static Manifests render(List<Path> valuesFiles, Map<String, ?> sets) {
    return Manifests.parse(template(valuesFiles, sets).call());
  }

  /** A template command, not yet run: for tests that expect it to fail. */
  static TemplateCommand template(List<Path> valuesFiles, Map<String, ?> sets) {
    TemplateCommand command =
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            // helm-java defaults to v1.20; the chart needs 1.25+ (seccomp, policy/v1,
            // autoscaling/v2)
            .withKubeVersion(KUBE_VERSION);
    valuesFiles.forEach(command::withValuesFile);
    sets.forEach(command::set);
    return command;
  }

  /** {@code key1, value1, key2, value2...} as an ordered map, for --set lists. */
  static Map<String, Object> sets(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** Writes a values file from a tree, into a fresh temporary file. */
  static Path writeValues(JsonNode values) {
    try {
      Path file = Files.createTempFile("converge-values-", ".yaml");
      file.toFile().deleteOnExit();
      YAML.writeValue(file.toFile(), values);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the chart, so a test can change its values.yaml without touching the original. */
  static Path copyOfChart() {
    try {
      Path target = Files.createTempDirectory("converge-chart-").resolve("sync-server");
      List<Path> sources;
      try (var walk = Files.walk(CHART)) {
        sources = new ArrayList<>(walk.toList());
      }
      for (Path source : sources) {
        Path dest = target.resolve(CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(source, dest);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a YAML file of the chart as a tree. */
  static ObjectNode readYaml(Path file) {
    try {
      return (ObjectNode) YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deep-merges {@code overlay} into {@code base} (objects merge, everything else replaces). */
  static ObjectNode merge(ObjectNode base, JsonNode overlay) {
    overlay
        .properties()
        .forEach(
            e -> {
              JsonNode existing = base.get(e.getKey());
              if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
              } else {
                base.set(e.getKey(), e.getValue());
              }
            });
    return base;
  }

  private static Path writeRequiredValues() {
    return writeValues(requiredValues());
  }

  private static String newPublicKeyPem() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      byte[] der = generator.generateKeyPair().getPublic().getEncoded();
      String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
      return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
