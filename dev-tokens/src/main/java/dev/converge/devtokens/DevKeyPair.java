package dev.converge.devtokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The development RSA key pair that signs and verifies tokens when no deployment key is configured:
 * {@code dev-jwt-private.pem} (PKCS#8) and {@code dev-jwt-public.pem} (X.509 SubjectPublicKeyInfo)
 * in the server's data directory.
 *
 * <p>Plain Java with no CDI, so that the server, its token command, the sample app, the benchmarks
 * and the tests use the very same files. Immutable and thread-safe.
 *
 * @param publicKey verifies tokens
 * @param privateKey signs development tokens
 * @param directory where the two PEM files live
 * @param created whether this call generated the pair (first start)
 */
public record DevKeyPair(
    RSAPublicKey publicKey, RSAPrivateKey privateKey, Path directory, boolean created) {

  /** File name of the private key, PKCS#8 PEM. */
  public static final String PRIVATE_KEY_FILE = "dev-jwt-private.pem";

  /** File name of the public key, X.509 PEM. */
  public static final String PUBLIC_KEY_FILE = "dev-jwt-public.pem";

  private static final int KEY_BITS = 2048;

  /**
   * Loads the pair from {@code directory}, generating and writing it first if it is absent.
   *
   * @param directory the data directory; created if missing
   * @return the pair, with {@link #created()} telling whether it was generated now
   * @throws UncheckedIOException if the files cannot be read or written
   * @throws IllegalStateException if a file exists but does not hold a valid RSA key
   */
  public static DevKeyPair loadOrCreate(Path directory) {
    Path privatePem = directory.resolve(PRIVATE_KEY_FILE);
    Path publicPem = directory.resolve(PUBLIC_KEY_FILE);
    try {
      boolean created = !Files.exists(privatePem) && generate(directory, privatePem);
      var privateKey =
          (RSAPrivateCrtKey) rsa().generatePrivate(new PKCS8EncodedKeySpec(readPem(privatePem)));
      // the public key is derived, so the pair always matches; its file is for operators
      var publicKey =
          (RSAPublicKey)
              rsa()
                  .generatePublic(
                      new RSAPublicKeySpec(
                          privateKey.getModulus(), privateKey.getPublicExponent()));
      String publicText = pem("PUBLIC KEY", publicKey.getEncoded());
      if (!Files.exists(publicPem) || !Files.readString(publicPem).equals(publicText)) {
        replace(publicPem, publicText);
      }
      return new DevKeyPair(publicKey, privateKey, directory, created);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use development JWT key in " + directory, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException(
          "invalid development JWT key " + privatePem + "; delete it to generate a new one", e);
    }
  }

  /**
   * Loads the pair from {@code directory} without ever creating it: empty when there is no private
   * key yet (a local server creates it on its first start).
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalStateException if the file does not hold a valid RSA key
   */
  public static java.util.Optional<DevKeyPair> load(Path directory) {
    return exists(directory)
        ? java.util.Optional.of(loadOrCreate(directory))
        : java.util.Optional.empty();
  }

  /**
   * Reads an RSA private key from a PKCS#8 PEM file of any name, e.g. a key given on a command
   * line.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalStateException if it does not hold a PKCS#8 RSA private key
   */
  public static RSAPrivateKey readPrivateKey(Path pemFile) {
    try {
      return (RSAPrivateKey) rsa().generatePrivate(new PKCS8EncodedKeySpec(readPem(pemFile)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the private key " + pemFile, e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("not a PKCS#8 RSA private key: " + pemFile, e);
    }
  }

  /** Whether {@code directory} already holds a development private key. */
  public static boolean exists(Path directory) {
    return Files.exists(directory.resolve(PRIVATE_KEY_FILE));
  }

  /** Returns the public key as PEM text, as smallrye-jwt reads it. */
  public String publicKeyPem() {
    return pem("PUBLIC KEY", publicKey.getEncoded());
  }

  /** Generates a private key; returns false if another process created one first. */
  private static boolean generate(Path directory, Path privatePem)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(directory);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(KEY_BITS);
    String text = pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded());
    Path tmp = Files.createTempFile(directory, PRIVATE_KEY_FILE, ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the default permissions
      }
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      try {
        // a hard link never replaces: concurrent first starts keep the key that landed first
        Files.createLink(privatePem, tmp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, privatePem);
      }
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void replace(Path target, String content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      try {
        // a public key is meant to be copied to deployments
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the default permissions
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] readPem(Path file) throws IOException {
    String body =
        Files.readString(file, StandardCharsets.US_ASCII)
            .replaceAll("-----(BEGIN|END) [A-Z ]+-----", "")
            .replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  private static String pem(String type, byte[] der) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
  }

  private static KeyFactory rsa() throws GeneralSecurityException {
    return KeyFactory.getInstance("RSA");
  }

  @Override
  public String toString() {
    return "DevKeyPair[" + directory + "]"; // never print the private key
  }
}
