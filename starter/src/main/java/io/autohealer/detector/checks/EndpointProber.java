package io.autohealer.detector.checks;

import java.io.IOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * GETs a node's endpoints on a bounded pool of {@code concurrency} threads, each GET within {@code
 * timeout} from connecting to the status line (a watchdog closes the connection at the deadline,
 * so a server that accepts and never answers costs one slot for exactly that long).
 *
 * <p>As in the Go plugin: HTTPS <b>without certificate or host-name verification</b> (the probe
 * asks whether the endpoint answers, not who it is; note that a required token is then sent to a
 * peer that was not verified), no proxy, redirects followed, every endpoint in turn until one
 * fails. Each connection is closed after its answer, so thousands of nodes never hold thousands of
 * idle sockets.
 */
final class EndpointProber implements AutoCloseable {
  static final String USER_AGENT = "autohealer-endpoint-check";

  private final EndpointSettings settings;
  private final BearerToken token;
  private final ThreadPoolExecutor pool;
  private final ScheduledExecutorService watchdog;
  private final SSLSocketFactory insecureTls;
  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private final AtomicLong cannotJudge = new AtomicLong();

  EndpointProber(EndpointSettings settings, BearerToken token, String threadPrefix) {
    this.settings = settings;
    this.token = token;
    AtomicInteger threads = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread thread = new Thread(r, threadPrefix + "-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.pool.allowCoreThreadTimeOut(true);
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, threadPrefix + "-watchdog");
      thread.setDaemon(true);
      return thread;
    });
    this.insecureTls = "https".equals(settings.protocol()) ? insecureTls() : null;
  }

  /** Queues a probe of {@code address}; {@code done} runs on a pool thread. Never blocks. */
  void submit(String address, Consumer<ProbeOutcome> done) {
    submitted.incrementAndGet();
    try {
      pool.execute(() -> {
        ProbeOutcome outcome;
        try {
          outcome = probe(address);
        } catch (RuntimeException e) {
          outcome = new ProbeOutcome.Failed("probe of " + address + " failed: " + e);
        }
        try {
          done.accept(outcome);
        } finally {
          count(outcome); // after the callback: "completed" includes its annotation patch
        }
      });
    } catch (RejectedExecutionException closed) {
      submitted.decrementAndGet();
    }
  }

  /** GETs every endpoint of {@code address} in turn, on the calling thread. */
  ProbeOutcome probe(String address) {
    Optional<String> bearer = Optional.empty();
    if (settings.requireToken()) {
      bearer = token.get();
      if (bearer.isEmpty()) {
        return new ProbeOutcome.CannotJudge("require-token is set but " + token.describe() + " cannot be read");
      }
    }
    for (String endpoint : settings.endpoints()) {
      ProbeOutcome outcome = get(url(settings.protocol(), address, settings.port(), endpoint), bearer);
      if (!(outcome instanceof ProbeOutcome.Ok)) {
        return outcome;
      }
    }
    return ProbeOutcome.OK;
  }

  private ProbeOutcome get(URL url, Optional<String> bearer) {
    long timeoutMillis = settings.timeout().toMillis();
    AtomicBoolean expired = new AtomicBoolean();
    HttpURLConnection connection = null;
    ScheduledFuture<?> deadline = null;
    try {
      connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      if (connection instanceof HttpsURLConnection https) {
        https.setSSLSocketFactory(insecureTls);
        https.setHostnameVerifier((host, session) -> true);
      }
      connection.setConnectTimeout((int) timeoutMillis);
      connection.setReadTimeout((int) timeoutMillis);
      connection.setUseCaches(false);
      connection.setInstanceFollowRedirects(true);
      connection.setRequestProperty("User-Agent", USER_AGENT);
      connection.setRequestProperty("Accept", "*/*");
      if (bearer.isPresent()) {
        connection.setRequestProperty("Authorization", "Bearer " + bearer.get());
      }
      HttpURLConnection toClose = connection;
      deadline = watchdog.schedule(() -> {
        expired.set(true);
        toClose.disconnect();
      }, timeoutMillis, TimeUnit.MILLISECONDS);
      int code = connection.getResponseCode();
      if (expired.get()) {
        return timedOut(url);
      }
      if (code == -1) {
        return new ProbeOutcome.Failed("GET " + url + ": the answer is not HTTP");
      }
      if (settings.okCodes().contains(code)) {
        return ProbeOutcome.OK;
      }
      return new ProbeOutcome.Failed("GET " + url + " answered " + code + " (ok: " + settings.okCodes() + ")");
    } catch (SocketTimeoutException e) {
      return timedOut(url);
    } catch (IOException e) {
      return expired.get() ? timedOut(url) : new ProbeOutcome.Failed("GET " + url + ": " + describe(e));
    } finally {
      if (deadline != null) {
        deadline.cancel(false);
      }
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private ProbeOutcome timedOut(URL url) {
    timedOut.incrementAndGet();
    return new ProbeOutcome.Failed("GET " + url + ": no answer within " + settings.timeout().toMillis() + "ms");
  }

  private static String describe(IOException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (e instanceof ConnectException) {
      return message.isEmpty() ? "connection refused" : message.toLowerCase();
    }
    if (e instanceof NoRouteToHostException || e instanceof UnknownHostException) {
      return "unreachable (" + message + ")";
    }
    if (e instanceof SSLException) {
      return "TLS failed: " + message;
    }
    return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }

  private void count(ProbeOutcome outcome) {
    completed.incrementAndGet();
    if (outcome instanceof ProbeOutcome.Ok) {
      ok.incrementAndGet();
    } else if (outcome instanceof ProbeOutcome.Failed) {
      failed.incrementAndGet();
    } else {
      cannotJudge.incrementAndGet();
    }
  }

  ProbeStats stats() {
    return new ProbeStats(submitted.get(), completed.get(), ok.get(), failed.get(), timedOut.get(),
        cannotJudge.get(), pool.getActiveCount(), pool.getQueue().size());
  }

  /**
   * The URL Go builds: {@code <protocol>://<address>:<port>/<path>}, an IPv6 address in brackets.
   *
   * @throws IllegalArgumentException when the pieces do not make a URL
   */
  static URL url(String protocol, String address, int port, String endpoint) {
    String host = address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address;
    try {
      return new URL(protocol, host, port, EndpointSettings.path(endpoint));
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a URL: " + protocol + "://" + host + ":" + port
          + EndpointSettings.path(endpoint) + " (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    watchdog.shutdownNow();
  }

  /** TLS that accepts any certificate for any name, as Go's {@code InsecureSkipVerify: true}. */
  private static SSLSocketFactory insecureTls() {
    X509ExtendedTrustManager trustAll = new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }
}
