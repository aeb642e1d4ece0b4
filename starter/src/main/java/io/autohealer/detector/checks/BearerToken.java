package io.autohealer.detector.checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token an Endpoint probe sends: the configured one, or the service-account token file. The
 * file is read once and again only when it changes (kubelet rotates projected tokens by swapping a
 * symlink, which changes the file's identity and time); whether it changed is looked up at most
 * once per {@code statInterval}, so probes never read it. Thread-safe.
 */
final class BearerToken {
  private static final Logger log = LoggerFactory.getLogger(BearerToken.class);
  static final Duration DEFAULT_STAT_INTERVAL = Duration.ofSeconds(1);

  private final String fixed;
  private final Path file;
  private final long statIntervalNanos;
  private final AtomicInteger reads = new AtomicInteger();
  private volatile Cached cached;
  private boolean failureReported;

  private record Cached(Object fileKey, FileTime modified, long size, String token, long checkedAt) {
    Cached checked(long now) {
      return new Cached(fileKey, modified, size, token, now);
    }
  }

  private BearerToken(String fixed, Path file, Duration statInterval) {
    this.fixed = fixed;
    this.file = file;
    this.statIntervalNanos = statInterval.toNanos();
  }

  static BearerToken fixed(String token) {
    return new BearerToken(Objects.requireNonNull(token), null, Duration.ZERO);
  }

  static BearerToken file(Path file, Duration statInterval) {
    return new BearerToken(null, Objects.requireNonNull(file), statInterval);
  }

  /** The token, or empty when the file cannot be read or is empty. */
  Optional<String> get() {
    if (fixed != null) {
      return Optional.of(fixed);
    }
    long now = System.nanoTime();
    Cached current = cached;
    if (current != null && now - current.checkedAt() < statIntervalNanos) {
      return Optional.of(current.token());
    }
    synchronized (this) {
      current = cached;
      if (current != null && now - current.checkedAt() < statIntervalNanos) {
        return Optional.of(current.token());
      }
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (current != null && Objects.equals(current.fileKey(), attributes.fileKey())
            && current.modified().equals(attributes.lastModifiedTime()) && current.size() == attributes.size()) {
          cached = current.checked(now);
          return Optional.of(current.token());
        }
        String token = Files.readString(file).strip();
        reads.incrementAndGet();
        if (token.isEmpty()) {
          throw new IOException("the file is empty");
        }
        if (current != null) {
          log.info("the token in {} changed; sending the new one", file);
        }
        cached = new Cached(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), token, now);
        failureReported = false;
        return Optional.of(token);
      } catch (IOException | RuntimeException e) {
        cached = null;
        if (!failureReported) {
          log.warn("cannot read the token from {}: {}", file, e.toString());
          failureReported = true;
        }
        return Optional.empty();
      }
    }
  }

  /** How often the file was read (tests). */
  int reads() {
    return reads.get();
  }

  String describe() {
    return fixed != null ? "the configured token" : "the token file " + file;
  }
}
