package io.autohealer.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA with a server and a client certificate, made with the JDK's keytool (no
 * openssl, no BouncyCastle), written as PEM files as a Kubernetes Secret would mount them.
 */
final class TestPki {
  static final String PASS = "changeit";

  final Path caCert;
  final Path serverCert;
  final Path serverKey;
  final Path clientCert;
  final Path clientKey;

  private TestPki(Path dir) {
    caCert = dir.resolve("ca.crt");
    serverCert = dir.resolve("server.crt");
    serverKey = dir.resolve("server.key");
    clientCert = dir.resolve("client.crt");
    clientKey = dir.resolve("client.key");
  }

  /** A CA, a server certificate for {@code serverName}, and a client certificate "autohealer-worker". */
  static TestPki create(Path dir, String serverName) throws IOException, InterruptedException, GeneralSecurityException {
    TestPki pki = new TestPki(dir);
    Path ca = dir.resolve("ca.p12");
    keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test-ca",
        "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storetype", "PKCS12",
        "-storepass", PASS, "-keypass", PASS);
    keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASS,
        "-file", pki.caCert.toString());
    pki.issue(dir, ca, "server", "CN=" + serverName, "san=dns:" + serverName, "serverAuth", pki.serverCert,
        pki.serverKey);
    pki.issue(dir, ca, "client", "CN=autohealer-worker", null, "clientAuth", pki.clientCert, pki.clientKey);
    return pki;
  }

  private void issue(Path dir, Path ca, String alias, String dname, String san, String eku, Path certPem, Path keyPem)
      throws IOException, InterruptedException, GeneralSecurityException {
    Path store = dir.resolve(alias + ".p12");
    Path csr = dir.resolve(alias + ".csr");
    keytool(dir, "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
        "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS);
    keytool(dir, "-certreq", "-alias", alias, "-keystore", store.toString(), "-storepass", PASS,
        "-file", csr.toString());
    List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
        "-storepass", PASS, "-infile", csr.toString(), "-outfile", certPem.toString(), "-validity", "2",
        "-ext", "eku=" + eku));
    if (san != null) {
      gencert.addAll(List.of("-ext", san));
    }
    keytool(dir, gencert.toArray(String[]::new));
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASS.toCharArray());
    }
    Key key = keyStore.getKey(alias, PASS.toCharArray());
    Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.add("-noprompt");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
