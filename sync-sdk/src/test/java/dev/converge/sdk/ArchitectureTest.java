package dev.converge.sdk;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the SDK portable to Android and its layers one-way. */
class ArchitectureTest {

  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.converge.sdk");

  /**
   * The public surface is {@code dev.converge.sdk} and {@code dev.converge.sdk.storage}: no public
   * or protected member of a public type there names a type of {@code dev.converge.sdk.internal}
   * (return, parameter, field or thrown type, generic arguments included), so apps never need an
   * internal class to call the API.
   */
  @Test
  void publicApi_exposesNoInternalType() {
    List<String> leaks = PublicApiScan.leaks(MAIN, "dev.converge.sdk.internal");
    assertThat(leaks).as("internal types in the public API").isEmpty();
  }

  /**
   * No public or protected member of the public API names a Jackson type (generic arguments
   * included): apps, Android ones above all, call the SDK with plain Java values and do not depend
   * on Jackson or on the Jackson version the SDK was built with (see the SDK README).
   */
  @Test
  void publicApi_namesNoJacksonType() {
    List<String> leaks = PublicApiScan.leaks(MAIN, "com.fasterxml.jackson");
    assertThat(leaks).as("Jackson types in the public API").isEmpty();
  }

  /** The scan examines the API's members (so an empty result means something) and can fail. */
  @Test
  void publicApiScan_examinesTheApi_andCatchesALeak() {
    assertThat(PublicApiScan.examinedMembers(MAIN))
        .as("public/protected members examined")
        .isGreaterThan(150);
    JavaClasses leaky = new ClassFileImporter().importClasses(LeakyApi.class);
    assertThat(PublicApiScan.examinedMembers(leaky)).isEqualTo(5);
    assertThat(PublicApiScan.leaks(leaky, "com.fasterxml.jackson"))
        .containsExactlyInAnyOrder(
            LeakyApi.class.getName() + ".node names com.fasterxml.jackson.databind.JsonNode",
            LeakyApi.class.getName()
                + ".read(java.lang.String) names com.fasterxml.jackson.databind.node.ObjectNode",
            LeakyApi.class.getName()
                + ".write(java.util.List) names com.fasterxml.jackson.databind.JsonNode",
            LeakyApi.class.getName()
                + ".fail() names com.fasterxml.jackson.core.JsonProcessingException");
  }

  /**
   * A public type leaking Jackson in each way the scan must catch; its package-private use is ok.
   */
  public static final class LeakyApi {
    /** A field. */
    public com.fasterxml.jackson.databind.JsonNode node;

    LeakyApi() {}

    /** A return type. */
    public java.util.Optional<com.fasterxml.jackson.databind.node.ObjectNode> read(String name) {
      return java.util.Optional.empty();
    }

    /** A generic parameter. */
    public void write(List<com.fasterxml.jackson.databind.JsonNode> values) {}

    /** A thrown type. */
    public void fail() throws com.fasterxml.jackson.core.JsonProcessingException {}

    /** Clean. */
    public String clean() {
      return "";
    }

    com.fasterxml.jackson.databind.JsonNode hidden() {
      return null;
    }
  }

  @Test
  void mainCode_usesNoJdkOnlyApisThatAndroidLacks() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.net.http..", "java.lang.management..", "java.awt..", "javax.swing..")
        .check(MAIN);
  }

  @Test
  void sdk_knowsNothingOfQuarkusOrTheServer() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.quarkus..", "dev.converge.server..", "io.vertx..")
        .check(MAIN);
  }

  @Test
  void storeAndTransport_doNotDependOnTheEngine() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.converge.sdk.internal.store..", "dev.converge.sdk.internal.net..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.converge.sdk.internal.engine..")
        .check(MAIN);
  }

  @Test
  void syncStateMachine_doesNoIo_andKeepsNoThreadsOrClocks() {
    String machine = "dev.converge.sdk.internal.sync..";
    noClasses()
        .that()
        .resideInAPackage(machine)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "okhttp3..",
            "okio..",
            "java.sql..",
            "java.net..",
            "java.io..",
            "java.nio..",
            "java.util.concurrent..",
            "dev.converge.sdk.internal.net..",
            "dev.converge.sdk.internal.engine..")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(
            Thread.class,
            ThreadLocal.class,
            java.time.Clock.class,
            java.util.Timer.class,
            dev.converge.sdk.internal.store.SqliteStore.class)
        .check(MAIN);
    noClasses()
        .that()
        .resideInAPackage(machine)
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(Object.class, "wait")
        .orShould()
        .callMethod(Object.class, "wait", long.class)
        .check(MAIN);
  }

  @Test
  void storeAndTransport_doNotDependOnTheStateMachine() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.converge.sdk.internal.store..", "dev.converge.sdk.internal.net..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.converge.sdk.internal.sync..")
        .check(MAIN);
  }

  @Test
  void onlyTheJdbcBindingTouchesJdbc_theStoreGoesThroughTheSqlSeam() {
    // SQLException is the seam's failure type (Android has it too); the rest of java.sql is the
    // JVM binding's alone, so the Android binding runs every store query unchanged.
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(JdbcSqlDatabase.class.getName())
        .and()
        .haveNameNotMatching(
            java.util.regex.Pattern.quote(JdbcSqlDatabase.class.getName()) + "\\$.*")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("java.sql..")
                .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(SQLException.class))))
        .check(MAIN);
  }
}
