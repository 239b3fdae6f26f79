package dev.converge.sdk;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Keeps the SDK portable to Android and its layers one-way. */
class ArchitectureTest {

  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.converge.sdk");

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
