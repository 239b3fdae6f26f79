package dev.converge.sample;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The sample app is an SDK user like any other: public API only. */
class ArchitectureTest {

  private static final JavaClasses APP =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.converge.sample");

  @Test
  void theApp_usesOnlyThePublicSdkApi() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.converge.sdk.internal..", "dev.converge.core..", "dev.converge.server..")
        .because("the sample app shows how to embed the SDK through its public API")
        .check(APP);
  }
}
