package dev.converge.sdk;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Lists the types the public API names: every public or protected member of a public type outside
 * {@code .internal} packages, through its return, parameter, field and thrown types and their
 * generic arguments.
 */
final class PublicApiScan {

  private PublicApiScan() {}

  /** How many public/protected members of public API types the scan examines. */
  static int examinedMembers(JavaClasses classes) {
    int count = 0;
    for (JavaClass type : classes) {
      if (isApiType(type)) {
        count += (int) type.getMembers().stream().filter(PublicApiScan::isApiMember).count();
      }
    }
    return count;
  }

  /** {@code "<member> names <type>"} for each named type whose name starts with {@code prefix}. */
  static List<String> leaks(JavaClasses classes, String prefix) {
    List<String> leaks = new ArrayList<>();
    for (JavaClass type : classes) {
      if (!isApiType(type)) {
        continue;
      }
      for (JavaMember member : type.getMembers()) {
        if (!isApiMember(member)) {
          continue;
        }
        for (JavaClass named : namedTypes(member)) {
          if (named.getName().startsWith(prefix)) {
            leaks.add(member.getFullName() + " names " + named.getName());
          }
        }
      }
    }
    return leaks;
  }

  private static boolean isApiType(JavaClass type) {
    return !type.getPackageName().contains(".internal")
        && type.getModifiers().contains(JavaModifier.PUBLIC);
  }

  private static boolean isApiMember(JavaMember member) {
    var modifiers = member.getModifiers();
    return (modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED))
        && !member.getModifiers().contains(JavaModifier.SYNTHETIC);
  }

  private static Set<JavaClass> namedTypes(JavaMember member) {
    Set<JavaClass> named = new LinkedHashSet<>();
    if (member instanceof JavaCodeUnit unit) {
      addAll(named, unit.getReturnType());
      unit.getParameterTypes().forEach(t -> addAll(named, t));
      unit.getExceptionTypes().forEach(named::add);
    } else if (member instanceof JavaField field) {
      addAll(named, field.getType());
    }
    return named;
  }

  private static void addAll(Set<JavaClass> named, JavaType type) {
    named.addAll(type.getAllInvolvedRawTypes());
  }
}
