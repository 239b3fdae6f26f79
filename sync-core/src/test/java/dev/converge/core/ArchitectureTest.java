package dev.converge.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core is pure: no I/O frameworks, and the CRDT layer knows nothing of the wire. */
class ArchitectureTest {

  private final JavaClasses core =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.converge.core");

  @Test
  void coreUsesNoServerDatabaseOrNetworkApi() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.quarkus..",
            "io.vertx..",
            "jakarta..",
            "java.sql..",
            "java.net..",
            "java.nio.channels..",
            "org.hibernate..",
            "okhttp3..",
            "dev.converge.server..",
            "dev.converge.sdk..")
        .check(core);
  }

  @Test
  void crdtLayerDoesNotDependOnTheProtocolLayer() {
    noClasses()
        .that()
        .resideInAPackage("dev.converge.core.crdt..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.converge.core.protocol..", "dev.converge.core.policy..")
        .check(core);
  }
}
