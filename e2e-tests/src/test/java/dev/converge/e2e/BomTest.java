package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM {@code dev.converge:converge-bom} has no parent (an app importing it must not inherit the
 * build's own pins), so nothing but this test keeps its version, its OkHttp and its list of
 * artifacts in step with the reactor and with the coordinates the README gives.
 */
class BomTest {

  private static final Path ROOT = Path.of("..");

  @Test
  void theBom_hasTheReactorsVersionAndOkHttp_andListsEveryArtifactAnAppUses() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Document bom = parse(ROOT.resolve("converge-bom/pom.xml"));
    String version = child(parent.getDocumentElement(), "version");

    assertThat(child(bom.getDocumentElement(), "groupId")).isEqualTo("dev.converge");
    assertThat(child(bom.getDocumentElement(), "artifactId")).isEqualTo("converge-bom");
    assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(version);
    assertThat(property(bom, "okhttp.version")).isEqualTo(property(parent, "okhttp.version"));
    assertThat(managed(bom))
        .containsExactlyInAnyOrder(
            "dev.converge:sync-core",
            "dev.converge:sync-sdk",
            "dev.converge:sync-sdk-android",
            "dev.converge:dev-tokens",
            "com.squareup.okhttp3:okhttp",
            "com.squareup.okhttp3:okhttp-jvm");
    List<String> modules = new ArrayList<>();
    NodeList names = parent.getElementsByTagName("module");
    for (int i = 0; i < names.getLength(); i++) {
      modules.add(names.item(i).getTextContent().trim());
    }
    assertThat(modules).contains("converge-bom", "sync-sdk", "sync-sdk-android", "dev-tokens");
  }

  @Test
  void theReadme_givesTheBomsCoordinates_forMavenAndGradle() throws Exception {
    String version = child(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "version");
    String readme = Files.readString(ROOT.resolve("README.md"));

    assertThat(readme)
        .contains(
            "<artifactId>converge-bom</artifactId>\n      <version>" + version + "</version>",
            "implementation(platform(\"dev.converge:converge-bom:" + version + "\"))",
            "implementation(\"dev.converge:sync-sdk-android\")");
  }

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(pom.toFile());
  }

  /** The text of the direct child {@code name} of {@code element}. */
  private static String child(Element element, String name) {
    NodeList children = element.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    throw new AssertionError("no <" + name + "> in <" + element.getTagName() + ">");
  }

  private static String property(Document pom, String name) {
    NodeList found = pom.getElementsByTagName(name);
    assertThat(found.getLength()).as("property %s", name).isEqualTo(1);
    return found.item(0).getTextContent().trim();
  }

  private static List<String> managed(Document bom) {
    List<String> coordinates = new ArrayList<>();
    NodeList dependencies = bom.getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      coordinates.add(child(dependency, "groupId") + ":" + child(dependency, "artifactId"));
    }
    return coordinates;
  }
}
