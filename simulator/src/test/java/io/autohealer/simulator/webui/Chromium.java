package io.autohealer.simulator.webui;

import io.autohealer.simulator.RealLane;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) driven headless through Debian's chromedriver
 * ({@code /usr/bin/chromedriver}), both from {@code bin/tools/install-chromium}; Selenium Manager
 * never downloads a browser or a driver. As a JUnit condition: skips, with one line, when they are
 * missing, except with {@code CI=true}, where the test runs (and fails).
 */
public final class Chromium implements ExecutionCondition {
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path BROWSER = Path.of("/usr/bin/chromium");

  static boolean installed() {
    return Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(BROWSER);
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (installed()) {
      return ConditionEvaluationResult.enabled("Debian's chromium and chromedriver found");
    }
    if (RealLane.onCi()) {
      return ConditionEvaluationResult.enabled("CI=true: the Web UI test never skips");
    }
    String reason = "Web UI test skipped: " + BROWSER + " or " + CHROMEDRIVER
        + " is missing; install them with bin/tools/install-chromium (root, apt)";
    System.err.println("[web-ui] " + reason);
    return ConditionEvaluationResult.disabled(reason);
  }

  /** A headless Chromium with a new, empty profile in a temporary folder. */
  static ChromeDriver start() {
    Path profile;
    try {
      profile = Files.createTempDirectory("chromium-profile-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1600,1100", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .withTimeout(Duration.ofSeconds(30))
        .build();
    return new ChromeDriver(service, options);
  }
}
