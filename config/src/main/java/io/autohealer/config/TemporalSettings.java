package io.autohealer.config;

/**
 * The {@code temporal} section (not in the Go service). Environment variables
 * {@code TEMPORAL_ADDRESS} and {@code TEMPORAL_NAMESPACE} override the file.
 *
 * @param address {@code temporal.address}: frontend {@code host:port}, default {@value #DEFAULT_ADDRESS}
 * @param namespace {@code temporal.namespace}, default {@value #DEFAULT_NAMESPACE}
 * @param tls {@code temporal.tls.*}: how to reach the frontend over TLS (never null)
 * @param apiKeyFile {@code temporal.api-key-file}: a file holding an API key (Temporal Cloud),
 *     sent as {@code Authorization: Bearer <key>}; read again when it changes, so a rotated Secret
 *     takes effect without a restart. Null: no API key.
 */
public record TemporalSettings(String address, String namespace, Tls tls, String apiKeyFile) {
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  public TemporalSettings {
    tls = tls == null ? Tls.PLAINTEXT : tls;
  }

  /** Plaintext, no API key: a self-hosted server inside a trusted network. */
  public TemporalSettings(String address, String namespace) {
    this(address, namespace, Tls.PLAINTEXT, null);
  }

  public static TemporalSettings defaults() {
    return new TemporalSettings(DEFAULT_ADDRESS, DEFAULT_NAMESPACE);
  }

  /**
   * {@code temporal.tls}. Paths only: the files are read when connecting, and no key material is
   * ever held here.
   *
   * @param enabled {@code temporal.tls.enabled}; by default true when any other {@code tls} key or
   *     {@code temporal.api-key-file} is set (Temporal Cloud needs TLS for both)
   * @param certFile {@code temporal.tls.cert-file}: client certificate chain (PEM) for mTLS
   * @param keyFile {@code temporal.tls.key-file}: its private key (PEM, PKCS#8)
   * @param caFile {@code temporal.tls.ca-file}: CA certificates (PEM) to trust instead of the JVM's
   * @param serverName {@code temporal.tls.server-name}: the name the server's certificate must
   *     carry, when it differs from the address's host
   */
  public record Tls(boolean enabled, String certFile, String keyFile, String caFile, String serverName) {
    public static final Tls PLAINTEXT = new Tls(false, null, null, null, null);

    /** Whether a client certificate is presented (mTLS). */
    public boolean mutual() {
      return certFile != null;
    }
  }
}
