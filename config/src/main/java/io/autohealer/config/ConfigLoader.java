package io.autohealer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autohealer.workflows.RepairPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@code config.yaml} written for the Go {@code magnum-auto-healer} (same keys, defaults
 * and meaning; keys case-insensitive; Go duration strings) into an {@link AutoHealerConfig}.
 * Values are taken literally: {@code ${...}} placeholders are not expanded.
 *
 * <p>Every error is a {@link ConfigException} naming the key path. Keys this version does not know
 * are reported as warnings and otherwise ignored, as the Go service ignores them.
 *
 * <p>Additive keys and environment variables:
 *
 * <ul>
 *   <li>{@code openstack.password-file}: a file holding the password (a trailing newline is
 *       dropped), e.g. a mounted Secret. It cannot be combined with {@code openstack.password}. When
 *       neither is set, the environment variable {@code OS_PASSWORD} is used if set. The same for
 *       {@code openstack.application-credential-secret}: {@code
 *       openstack.application-credential-secret-file}, else {@code OS_APPLICATION_CREDENTIAL_SECRET}.
 *   <li>{@code temporal.address} (default {@code 127.0.0.1:7233}) and {@code temporal.namespace}
 *       (default {@code default}); the environment variables {@code TEMPORAL_ADDRESS} and {@code
 *       TEMPORAL_NAMESPACE} override them.
 *   <li>{@code temporal.tls.enabled}, {@code temporal.tls.cert-file}, {@code temporal.tls.key-file},
 *       {@code temporal.tls.ca-file}, {@code temporal.tls.server-name}: TLS or mTLS to the frontend
 *       (a {@code tls} section turns TLS on); {@code temporal.api-key-file}: a file holding an API
 *       key (turns TLS on unless {@code tls.enabled: false}). Files must be readable at start-up.
 *   <li>{@code repair.poll-interval}, {@code repair.shut-off-timeout}, {@code
 *       repair.cluster-update-timeout}, {@code repair.rejoin-timeout}: the {@link RepairPolicy} of
 *       every repair started (defaults: {@link RepairPolicy#defaults()}).
 *   <li>The detector's safety gates, at the top level: {@code max-unhealthy}, {@code
 *       max-concurrent-repairs}, {@code max-concurrent-master-repairs}, {@code repair-cooldown},
 *       {@code repair-budget}, {@code repair-budget-window}, {@code control-namespace} (see {@link
 *       SafetySettings} for each default and meaning).
 *   <li>{@code leader-election.namespace}, {@code .name}, {@code .lease-duration}, {@code
 *       .renew-deadline}, {@code .retry-period} (see {@link LeaderElectionSettings}).
 *   <li>{@code metrics-port} (default 9464, 0 turns the detector's HTTP endpoint off).
 * </ul>
 */
public final class ConfigLoader {
  /** The health-check types of the Go service. */
  public static final List<String> BUILT_IN_HEALTH_CHECK_TYPES = List.of("Endpoint", "NodeCondition");

  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
  private static final Pattern HOST_PORT = Pattern.compile("\\S+:(\\d{1,5})");
  /** A Kubernetes namespace: a DNS-1123 label. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** A Kubernetes object name such as a Lease's: a DNS-1123 subdomain. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final List<String> healthCheckTypes;
  private final Function<String, String> environment;
  private final Consumer<String> warnings;

  private ConfigLoader(Builder builder) {
    this.healthCheckTypes = List.copyOf(builder.healthCheckTypes);
    this.environment = builder.environment;
    this.warnings = builder.warnings;
  }

  /** Loads a file with the built-in health-check types and the process environment. */
  public static AutoHealerConfig load(Path file) {
    return builder().build().read(file);
  }

  /** Loads YAML text with the built-in health-check types and the process environment. */
  public static AutoHealerConfig parse(String yaml) {
    return builder().build().read(yaml, "config");
  }

  public static Builder builder() {
    return new Builder();
  }

  public AutoHealerConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return read(text, file.toString());
  }

  /**
   * @param source what the text is, for YAML syntax errors (e.g. the file name)
   */
  public AutoHealerConfig read(String yaml, String source) {
    JsonNode tree = YamlTrees.parse(yaml, source);
    if (tree.isMissingNode() || tree.isNull()) {
      tree = YamlTrees.emptyMap();
    }
    if (!tree.isObject()) {
      throw new ConfigException(source + ": expected a map of keys at the top level, got " + ConfigNode.describe(tree));
    }
    ConfigNode root = new ConfigNode("", (ObjectNode) tree);

    String clusterName =
        root.optionalString("cluster-name")
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .orElseThrow(() -> new ConfigException("cluster-name is required (the Magnum cluster uuid or name)"));
    Duration rebuildDelayAfterReboot =
        root.duration("rebuild-delay-after-reboot", AutoHealerConfig.DEFAULT_REBUILD_DELAY_AFTER_REBOOT);
    AutoHealerConfig config =
        new AutoHealerConfig(
            clusterName,
            root.bool("dry-run", false),
            cloudProvider(root),
            root.positiveDuration("monitor-interval", AutoHealerConfig.DEFAULT_MONITOR_INTERVAL),
            root.bool("master-monitor-enabled", true),
            root.bool("worker-monitor-enabled", true),
            root.bool("leader-elect", true),
            root.duration("check-delay-after-add", AutoHealerConfig.DEFAULT_CHECK_DELAY_AFTER_ADD),
            rebuildDelayAfterReboot,
            healthChecks(root),
            kubernetes(root),
            openstack(root),
            temporal(root),
            repair(root, rebuildDelayAfterReboot),
            safety(root),
            leaderElection(root),
            port(root, "metrics-port", AutoHealerConfig.DEFAULT_METRICS_PORT));
    warnUnknown(root);
    return config;
  }

  private static String cloudProvider(ConfigNode root) {
    String name = root.string("cloud-provider", AutoHealerConfig.OPENSTACK);
    if (!name.equalsIgnoreCase(AutoHealerConfig.OPENSTACK)) {
      throw new ConfigException("cloud-provider: unsupported \"" + name + "\" (expected openstack)");
    }
    return AutoHealerConfig.OPENSTACK;
  }

  private HealthCheckSettings healthChecks(ConfigNode root) {
    Optional<ConfigNode> section = root.section("healthcheck");
    if (section.isEmpty()) {
      return new HealthCheckSettings(List.of(), List.of());
    }
    HealthCheckSettings settings =
        new HealthCheckSettings(specs(section.get(), "master"), specs(section.get(), "worker"));
    warnUnknown(section.get());
    return settings;
  }

  private List<HealthCheckSpec> specs(ConfigNode section, String role) {
    List<HealthCheckSpec> specs = new ArrayList<>();
    for (ConfigNode entry : section.sectionList(role)) {
      String type =
          entry.optionalString("type")
              .map(this::canonicalType)
              .orElseThrow(() -> new ConfigException(entry.keyPath("type") + " is required " + expectedTypes()));
      if (type.isEmpty()) {
        throw new ConfigException(
            entry.keyPath("type") + ": unknown plugin \"" + entry.string("type", "") + "\" " + expectedTypes());
      }
      ObjectNode params = entry.section("params").map(ConfigNode::node).orElseGet(YamlTrees::emptyMap);
      specs.add(new HealthCheckSpec(type, new HealthCheckParams(entry.keyPath("params"), params), entry.path()));
      warnUnknown(entry);
    }
    return specs;
  }

  /** The registered spelling of a type, matched case-insensitively; empty if unknown. */
  private String canonicalType(String type) {
    return healthCheckTypes.stream().filter(t -> t.equalsIgnoreCase(type.trim())).findFirst().orElse("");
  }

  private String expectedTypes() {
    return "(expected one of " + String.join(", ", healthCheckTypes) + ")";
  }

  private KubernetesSettings kubernetes(ConfigNode root) {
    Optional<ConfigNode> section = root.section("kubernetes");
    if (section.isEmpty()) {
      return KubernetesSettings.inCluster();
    }
    ConfigNode k = section.get();
    KubernetesSettings settings = new KubernetesSettings(apiHost(k), text(k, "kubeconfig"));
    warnUnknown(k);
    return settings;
  }

  /**
   * {@code kubernetes.api-host}: a URL, or {@code host:port} as client-go also takes it (https).
   * Checked here because fabric8 would otherwise fail only at the first call, with no key named.
   */
  private static String apiHost(ConfigNode kubernetes) {
    String value = text(kubernetes, "api-host");
    if (value == null) {
      return null;
    }
    String url = value.contains("://") ? value : "https://" + value;
    String problem = null;
    try {
      URI uri = new URI(url);
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
        problem = "has the scheme " + uri.getScheme();
      } else if (uri.getHost() == null) {
        problem = "has no host";
      }
    } catch (URISyntaxException e) {
      problem = "is not a URL";
    }
    if (problem != null) {
      throw new ConfigException(kubernetes.keyPath("api-host") + ": \"" + value + "\" " + problem
          + " (expected an http or https URL such as https://10.0.0.5:6443)");
    }
    return value;
  }

  private OpenStackSettings openstack(ConfigNode root) {
    ConfigNode os = root.section("openstack").orElseGet(() -> new ConfigNode("openstack", YamlTrees.emptyMap()));
    OpenStackSettings settings =
        new OpenStackSettings(
            text(os, "auth-url"),
            text(os, "user-id"),
            text(os, "username"),
            secret(os, "password", "OS_PASSWORD"),
            text(os, "project-id"),
            text(os, "project-name"),
            text(os, "trust-id"),
            text(os, "trustee-id"),
            text(os, "trustee-password"),
            text(os, "domain-id"),
            text(os, "domain-name"),
            text(os, "project-domain-id"),
            text(os, "project-domain-name"),
            text(os, "user-domain-id"),
            text(os, "user-domain-name"),
            text(os, "region"),
            text(os, "os-endpoint-type"),
            text(os, "ca-file"),
            text(os, "cafilecontents"),
            os.bool("tls-insecure", false),
            text(os, "token"),
            text(os, "cert-file"),
            text(os, "key-file"),
            os.bool("use-clouds", false),
            text(os, "clouds-file"),
            text(os, "cloud"),
            text(os, "application-credential-id"),
            text(os, "application-credential-name"),
            secret(os, "application-credential-secret", "OS_APPLICATION_CREDENTIAL_SECRET"));
    warnUnknown(os);
    return settings;
  }

  /** {@code key}, or the file named by {@code key-file}, or else the environment variable. */
  private String secret(ConfigNode os, String key, String environmentVariable) {
    String inline = text(os, key);
    String file = text(os, key + "-file");
    if (file != null) {
      if (inline != null) {
        throw new ConfigException(os.keyPath(key + "-file") + ": cannot be combined with " + os.keyPath(key));
      }
      try {
        return Files.readString(Path.of(file)).replaceFirst("\\r?\\n$", "");
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(os.keyPath(key + "-file") + ": cannot read \"" + file + "\": " + reason(e), e);
      }
    }
    return inline != null ? inline : blankToNull(environment.apply(environmentVariable));
  }

  private TemporalSettings temporal(ConfigNode root) {
    Optional<ConfigNode> section = root.section("temporal");
    String address = section.map(t -> text(t, "address")).orElse(TemporalSettings.DEFAULT_ADDRESS);
    String addressKey = "temporal.address";
    String namespace = section.map(t -> text(t, "namespace")).orElse(TemporalSettings.DEFAULT_NAMESPACE);
    String namespaceKey = "temporal.namespace";
    String apiKeyFile = section.map(t -> readableFile(t, "api-key-file")).orElse(null);
    TemporalSettings.Tls tls = section.map(t -> tls(t, apiKeyFile != null)).orElse(TemporalSettings.Tls.PLAINTEXT);
    section.ifPresent(this::warnUnknown);

    String envAddress = blankToNull(environment.apply("TEMPORAL_ADDRESS"));
    if (envAddress != null) {
      address = envAddress;
      addressKey = "TEMPORAL_ADDRESS";
    }
    String envNamespace = blankToNull(environment.apply("TEMPORAL_NAMESPACE"));
    if (envNamespace != null) {
      namespace = envNamespace;
      namespaceKey = "TEMPORAL_NAMESPACE";
    }
    Matcher hostPort = HOST_PORT.matcher(address);
    if (!hostPort.matches()) {
      throw new ConfigException(addressKey + ": \"" + address + "\" is not host:port (expected e.g. 127.0.0.1:7233)");
    }
    int port = Integer.parseInt(hostPort.group(1));
    if (port < 1 || port > 65535) {
      throw new ConfigException(addressKey + ": \"" + address + "\" has the port " + port + " (expected 1 to 65535)");
    }
    if (namespace == null) {
      throw new ConfigException(namespaceKey + ": must not be empty");
    }
    return new TemporalSettings(address, namespace, tls, apiKeyFile);
  }

  /** {@code temporal.tls}; TLS is on by default as soon as it, or an API key, is configured. */
  private TemporalSettings.Tls tls(ConfigNode temporal, boolean apiKey) {
    Optional<ConfigNode> section = temporal.section("tls");
    if (section.isEmpty()) {
      return apiKey ? new TemporalSettings.Tls(true, null, null, null, null) : TemporalSettings.Tls.PLAINTEXT;
    }
    ConfigNode t = section.get();
    String certFile = readableFile(t, "cert-file");
    String keyFile = readableFile(t, "key-file");
    String caFile = readableFile(t, "ca-file");
    String serverName = text(t, "server-name");
    if ((certFile == null) != (keyFile == null)) {
      String missing = certFile == null ? "cert-file" : "key-file";
      String given = certFile == null ? "key-file" : "cert-file";
      throw new ConfigException(t.keyPath(missing) + " is required with " + t.keyPath(given) + " (mTLS needs both)");
    }
    // A tls section turns TLS on (an empty one: the JVM's trusted CAs), unless enabled: false.
    boolean enabled = t.bool("enabled", true);
    if (!enabled && (certFile != null || caFile != null || serverName != null)) {
      throw new ConfigException(t.keyPath("enabled") + ": false, but " + t.path() + " also sets files or a server name");
    }
    warnUnknown(t);
    return new TemporalSettings.Tls(enabled, certFile, keyFile, caFile, serverName);
  }

  /** A path that must name a readable file, checked now so that a bad mount fails at start-up. */
  private static String readableFile(ConfigNode node, String key) {
    String path = text(node, key);
    if (path != null && !Files.isReadable(Path.of(path))) {
      throw new ConfigException(node.keyPath(key) + ": cannot read \"" + path + "\"");
    }
    return path;
  }

  /**
   * The additive {@code repair:} section; Go's top-level {@code rebuild-delay-after-reboot} keeps
   * its meaning (how long a rebooted node may take to be Ready before it is rebuilt).
   */
  private RepairPolicy repair(ConfigNode root, Duration rebuildDelayAfterReboot) {
    RepairPolicy d = RepairPolicy.defaults();
    Optional<ConfigNode> section = root.section("repair");
    if (section.isEmpty()) {
      return new RepairPolicy(d.pollInterval(), d.gateRecheckInterval(), d.requireApproval(), d.cordonMasters(),
          d.drain(), d.drainTimeout(), d.reboot(), rebuildDelayAfterReboot, d.rebootCooldown(),
          d.shutOffTimeout(), d.csiDetachTimeout(), d.clusterUpdateTimeout(), d.rejoinTimeout());
    }
    ConfigNode r = section.get();
    RepairPolicy policy =
        new RepairPolicy(
            r.positiveDuration("poll-interval", d.pollInterval()),
            r.positiveDuration("gate-recheck-interval", d.gateRecheckInterval()),
            r.bool("require-approval", d.requireApproval()),
            r.bool("cordon-masters", d.cordonMasters()),
            r.bool("drain", d.drain()),
            r.positiveDuration("drain-timeout", d.drainTimeout()),
            r.bool("reboot", d.reboot()),
            rebuildDelayAfterReboot,
            r.duration("reboot-cooldown", d.rebootCooldown()),
            r.positiveDuration("shut-off-timeout", d.shutOffTimeout()),
            r.positiveDuration("csi-detach-timeout", d.csiDetachTimeout()),
            r.positiveDuration("cluster-update-timeout", d.clusterUpdateTimeout()),
            r.positiveDuration("rejoin-timeout", d.rejoinTimeout()));
    warnUnknown(r);
    return policy;
  }

  /** The top-level safety-gate keys. */
  private static SafetySettings safety(ConfigNode root) {
    SafetySettings d = SafetySettings.defaults();
    MaxUnhealthy maxUnhealthy =
        root.value("max-unhealthy")
            .map(v -> maxUnhealthy(root.keyPath("max-unhealthy"), v))
            .orElse(d.maxUnhealthy());
    int maxConcurrent = root.integer("max-concurrent-repairs", d.maxConcurrentRepairs());
    if (maxConcurrent < 1) {
      throw new ConfigException(
          "max-concurrent-repairs: must be at least 1, got " + maxConcurrent
              + " (to stop new repairs, pause the cluster instead)");
    }
    int maxMasters = root.integer("max-concurrent-master-repairs", d.maxConcurrentMasterRepairs());
    if (maxMasters < 0 || maxMasters > SafetySettings.MAX_CONCURRENT_MASTER_REPAIRS) {
      throw new ConfigException(
          "max-concurrent-master-repairs: must be 0 or 1, got " + maxMasters
              + " (masters are repaired one at a time so that etcd keeps its quorum)");
    }
    Duration cooldown = root.duration("repair-cooldown", d.repairCooldown());
    int budget = root.integer("repair-budget", d.repairBudget());
    if (budget < 1) {
      throw new ConfigException("repair-budget: must be at least 1, got " + budget);
    }
    Duration window = root.positiveDuration("repair-budget-window", d.repairBudgetWindow());
    String controlNamespace = namespace(root, "control-namespace", d.controlNamespace());
    return new SafetySettings(maxUnhealthy, maxConcurrent, maxMasters, cooldown, budget, window, controlNamespace);
  }

  private static MaxUnhealthy maxUnhealthy(String path, JsonNode value) {
    String text;
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      text = value.asText();
    } else if (value.isTextual()) {
      text = value.textValue();
    } else {
      text = null;
    }
    return Optional.ofNullable(text)
        .flatMap(MaxUnhealthy::parse)
        .orElseThrow(() -> new ConfigException(path + ": " + ConfigNode.describe(value)
            + " is neither a count nor a percentage (expected e.g. 3 or 40%, a percentage at most 100%)"));
  }

  private LeaderElectionSettings leaderElection(ConfigNode root) {
    LeaderElectionSettings d = LeaderElectionSettings.defaults();
    Optional<ConfigNode> section = root.section("leader-election");
    if (section.isEmpty()) {
      return d;
    }
    ConfigNode le = section.get();
    String namespace = namespace(le, "namespace", d.namespace());
    String name = le.optionalString("name").map(String::trim).orElse(d.name());
    if (!DNS_SUBDOMAIN.matcher(name).matches()) {
      throw new ConfigException(le.keyPath("name") + ": \"" + name
          + "\" is not a valid Lease name (expected lower-case letters, digits, '-' and '.', e.g. magnum-auto-healer)");
    }
    Duration lease = le.positiveDuration("lease-duration", d.leaseDuration());
    Duration renew = le.positiveDuration("renew-deadline", d.renewDeadline());
    Duration retry = le.positiveDuration("retry-period", d.retryPeriod());
    if (renew.compareTo(lease) >= 0) {
      throw new ConfigException(le.keyPath("renew-deadline") + ": must be less than " + le.keyPath("lease-duration")
          + " (" + GoDuration.format(renew) + " is not less than " + GoDuration.format(lease) + ")");
    }
    if (renew.toNanos() <= retry.toNanos() * LeaderElectionSettings.JITTER_FACTOR) {
      throw new ConfigException(le.keyPath("renew-deadline") + ": must be more than 1.2 times "
          + le.keyPath("retry-period") + " (" + GoDuration.format(renew) + " is not more than 1.2 x "
          + GoDuration.format(retry) + ")");
    }
    warnUnknown(le);
    return new LeaderElectionSettings(namespace, name, lease, renew, retry);
  }

  private static String namespace(ConfigNode node, String key, String fallback) {
    String namespace = node.optionalString(key).map(String::trim).orElse(fallback);
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw new ConfigException(node.keyPath(key) + ": \"" + namespace
          + "\" is not a valid namespace (expected at most 63 lower-case letters, digits and '-', e.g. kube-system)");
    }
    return namespace;
  }

  private static int port(ConfigNode node, String key, int fallback) {
    int port = node.integer(key, fallback);
    if (port < 0 || port > 65535) {
      throw new ConfigException(node.keyPath(key) + ": " + port + " is not a port (expected 1 to 65535, or 0 for off)");
    }
    return port;
  }

  /** Why a file could not be read, in words (no exception class names). */
  static String reason(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    String message = e.getMessage();
    return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
  }

  private static String text(ConfigNode node, String key) {
    return blankToNull(node.string(key, null));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private void warnUnknown(ConfigNode node) {
    for (String key : node.unreadKeyPaths()) {
      warnings.accept("unknown config key " + key + " is ignored");
    }
  }

  /** Options of a loader; the defaults suit production. */
  public static final class Builder {
    private Collection<String> healthCheckTypes = BUILT_IN_HEALTH_CHECK_TYPES;
    private Function<String, String> environment = System::getenv;
    private Consumer<String> warnings = log::warn;

    private Builder() {}

    /** The health-check types to accept, in their registered spelling (e.g. plugins found at run time). */
    public Builder healthCheckTypes(Collection<String> types) {
      this.healthCheckTypes = List.copyOf(types);
      return this;
    }

    /** Where environment variables are read from (tests). */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment);
      return this;
    }

    /** Where warnings (unknown keys) go; by default the log. */
    public Builder warnings(Consumer<String> warnings) {
      this.warnings = Objects.requireNonNull(warnings);
      return this;
    }

    public ConfigLoader build() {
      return new ConfigLoader(this);
    }
  }
}
