package dev.converge.server.auth;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command line: prints a token signed with the development key, for curl and local apps.
 *
 * <pre>
 * scripts/mint-token.sh --sub alice --spaces team:1,team:2 [--read team:3,team:4] [--admin]
 *     [--ttl 3600] [--data-dir DIR] [--issuer ISS] [--audience AUD]
 * </pre>
 *
 * <p>Defaults follow the server's: {@code CONVERGE_DATA_DIR} (else {@code ~/.converge}), {@code
 * CONVERGE_JWT_ISSUER} (else {@code converge-dev}), {@code CONVERGE_JWT_AUDIENCE} (else {@code
 * converge}). If the data directory holds no key yet, one is created, and the server started later
 * uses it. {@code --read} grants spaces for reading only (the {@code spaces} claim becomes an
 * object of roles); {@code --admin} adds the {@code converge-admin} group, which the admin
 * endpoints require.
 */
public final class MintDevToken {

  private MintDevToken() {}

  /**
   * Entry point.
   *
   * @param args see the class description
   */
  public static void main(String[] args) {
    String subject = null;
    List<String> spaces = new ArrayList<>();
    List<String> readOnly = new ArrayList<>();
    boolean admin = false;
    Duration ttl = Duration.ofHours(1);
    String dataDir = env("CONVERGE_DATA_DIR", System.getProperty("user.home") + "/.converge");
    String issuer = env("CONVERGE_JWT_ISSUER", "converge-dev");
    String audience = env("CONVERGE_JWT_AUDIENCE", "converge");
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--sub" -> subject = required(args[i], value);
          case "--spaces" ->
              Arrays.stream(required(args[i], value).split(","))
                  .map(String::trim)
                  .filter(s -> !s.isEmpty())
                  .forEach(spaces::add);
          case "--read" ->
              Arrays.stream(required(args[i], value).split(","))
                  .map(String::trim)
                  .filter(s -> !s.isEmpty())
                  .forEach(readOnly::add);
          case "--admin" -> {
            admin = true;
            i--; // a flag: no value
          }
          case "--ttl" -> ttl = Duration.ofSeconds(Long.parseLong(required(args[i], value)));
          case "--data-dir" -> dataDir = required(args[i], value);
          case "--issuer" -> issuer = required(args[i], value);
          case "--audience" -> audience = required(args[i], value);
          case "-h", "--help" -> {
            usage();
            return;
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      if (subject == null || subject.isBlank()) {
        throw new IllegalArgumentException("--sub is required");
      }
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("--ttl <= 0");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("mint-token: " + e.getMessage());
      usage();
      System.exit(2);
      return;
    }
    DevKeyPair keys = DevKeyPair.loadOrCreate(Path.of(dataDir));
    if (keys.created()) {
      System.err.println("mint-token: created development key pair in " + keys.directory());
    }
    Instant now = Instant.now();
    if (readOnly.isEmpty() && !admin) {
      System.out.println(
          DevTokens.mint(keys.privateKey(), issuer, audience, subject, spaces, now, now.plus(ttl)));
      return;
    }
    Map<String, String> roles = new TreeMap<>();
    spaces.forEach(s -> roles.put(s, "write"));
    readOnly.forEach(s -> roles.put(s, "read"));
    System.out.println(
        DevTokens.mintWithRoles(
            keys.privateKey(),
            issuer,
            audience,
            subject,
            roles,
            admin ? List.of("converge-admin") : List.of(),
            now,
            now.plus(ttl)));
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static void usage() {
    System.err.println(
        "usage: mint-token --sub SUBJECT [--spaces a,b] [--read c,d] [--admin] [--ttl SECONDS]"
            + " [--data-dir DIR]"
            + " [--issuer ISS] [--audience AUD]");
  }
}
