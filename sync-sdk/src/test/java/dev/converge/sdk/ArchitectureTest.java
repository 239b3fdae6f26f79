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

  /**
   * The public surface is {@code dev.converge.sdk} and {@code dev.converge.sdk.storage}: no public
   * or protected member of a public type there names a type of {@code dev.converge.sdk.internal}
   * (return, parameter, field or thrown type), so apps never need an internal class to call the
   * API.
   */
  @Test
  void publicApi_exposesNoInternalType() {
    java.util.List<String> leaks = new java.util.ArrayList<>();
    int checked = 0;
    for (JavaClass type : MAIN) {
      if (type.getPackageName().contains(".internal")
          || !type.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)) {
        continue;
      }
      for (com.tngtech.archunit.core.domain.JavaMember member : type.getMembers()) {
        var modifiers = member.getModifiers();
        if (!modifiers.contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)
            && !modifiers.contains(com.tngtech.archunit.core.domain.JavaModifier.PROTECTED)) {
          continue;
        }
        checked++;
        java.util.Set<JavaClass> named = new java.util.HashSet<>();
        if (member instanceof com.tngtech.archunit.core.domain.JavaCodeUnit unit) {
          named.add(unit.getRawReturnType());
          named.addAll(unit.getRawParameterTypes());
          unit.getExceptionTypes().forEach(named::add);
        } else if (member instanceof com.tngtech.archunit.core.domain.JavaField field) {
          named.add(field.getRawType());
        }
        for (JavaClass t : named) {
          if (t.getPackageName().startsWith("dev.converge.sdk.internal")) {
            leaks.add(member.getFullName() + " names " + t.getName());
          }
        }
      }
    }
    org.assertj.core.api.Assertions.assertThat(leaks)
        .as("internal types in the public API")
        .isEmpty();
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
