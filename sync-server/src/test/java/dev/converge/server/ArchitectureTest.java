package dev.converge.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The server's layering: REST ({@code web}) and WebSocket ({@code sync}) endpoints on top, feature
 * services below them, the error shape and space grants at the bottom, no package cycles, and the
 * server core (the I/O-free push rules in sync-core) free of every framework the server runs on.
 */
class ArchitectureTest {

  private static final JavaClasses SERVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.converge.server", "dev.converge.core");

  @Test
  void serverCore_dependsOnNoFrameworkAndNoIo() {
    noClasses()
        .that()
        .resideInAPackage("dev.converge.core.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.quarkus..",
            "io.smallrye..",
            "io.vertx..",
            "io.netty..",
            "org.hibernate..",
            "jakarta..",
            "io.micrometer..",
            "org.eclipse.microprofile..",
            "java.sql..",
            "java.net..",
            "java.nio.file..",
            "dev.converge.server..")
        .check(SERVER);
  }

  @Test
  void serverPackages_areFreeOfCycles() {
    slices().matching("dev.converge.server.(*)..").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void endpoints_areOnTopOfServices_whichAreOnTopOfTheFoundation() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Endpoints")
        .definedBy("dev.converge.server.web..", "dev.converge.server.sync..")
        .layer("Services")
        .definedBy(
            "dev.converge.server.changeset..",
            "dev.converge.server.document..",
            "dev.converge.server.auth..")
        .layer("Foundation")
        .definedBy(
            "dev.converge.server.space..",
            "dev.converge.server.error..",
            "dev.converge.server.db..",
            "dev.converge.server.metrics..")
        .layer("Core")
        .definedBy("dev.converge.core..")
        .whereLayer("Endpoints")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Services")
        .mayOnlyBeAccessedByLayers("Endpoints")
        .whereLayer("Foundation")
        .mayOnlyBeAccessedByLayers("Endpoints", "Services")
        .whereLayer("Core")
        .mayOnlyBeAccessedByLayers("Endpoints", "Services", "Foundation")
        .check(SERVER);
  }

  @Test
  void restAndWebSocketEndpoints_doNotDependOnEachOther() {
    noClasses()
        .that()
        .resideInAPackage("dev.converge.server.web..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.converge.server.sync..")
        .check(SERVER);
    noClasses()
        .that()
        .resideInAPackage("dev.converge.server.sync..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.converge.server.web..")
        .check(SERVER);
  }

  /** Queries and transactions belong to the services; endpoints call them. */
  @Test
  void endpoints_openNoDatabaseSession() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.converge.server.web..", "dev.converge.server.sync..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hibernate..")
        .check(SERVER);
  }

  @Test
  void onlyTheEndpoints_speakHttpOrWebSocket() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.converge.server.web..",
            "dev.converge.server.sync..",
            "dev.converge.server.error..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.ws.rs..", "io.quarkus.websockets..")
        .check(SERVER);
  }
}
