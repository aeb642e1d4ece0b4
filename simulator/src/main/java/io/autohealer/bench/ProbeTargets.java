package io.autohealer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The endpoints of thousands of simulated nodes on one socket: each node's InternalIP is its own
 * loopback address (127.10.x.y; Linux routes all of 127/8 to the loopback interface), and the
 * address a connection was made to tells which node is asked. Nodes in {@code silent} accept the
 * connection and never answer, as a hung kube-apiserver does; the others answer 200.
 *
 * <p>The socket listens on the wildcard address (only wildcard sockets accept every 127/8
 * address), on a random port, for the benchmark's duration only.
 */
final class ProbeTargets implements AutoCloseable {
  private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
      .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final Set<String> silent;
  private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "probe-target");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private volatile boolean closed;

  ProbeTargets(Set<String> silent) throws IOException {
    this.silent = Set.copyOf(silent);
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), 4096);
    Thread acceptor = new Thread(this::accept, "probe-targets-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The loopback address of node {@code index} (0-based): 127.10.x.y, never .0 or .255. */
  static String address(int index) {
    int n = index + 1;
    return "127.10." + (n / 250) + "." + (n % 250 + 1);
  }

  int port() {
    return server.getLocalPort();
  }

  long answered() {
    return answered.get();
  }

  long ignored() {
    return ignored.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        String to = socket.getLocalAddress().getHostAddress();
        if (silent.contains(to)) {
          ignored.incrementAndGet();
          held.add(socket); // never answered; the prober gives up at its timeout
        } else {
          handlers.execute(() -> answer(socket));
        }
      } catch (IOException e) {
        if (!closed) {
          System.err.println("probe targets: accept failed: " + e);
        }
      }
    }
  }

  private void answer(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      int matched = 0;
      // Read the request head (up to the blank line), then answer.
      outer:
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          return;
        }
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
              ? matched + 1 : (b == '\r' ? 1 : 0);
          if (matched == 4) {
            break outer;
          }
        }
      }
      OutputStream out = socket.getOutputStream();
      out.write(OK);
      out.flush();
      answered.incrementAndGet();
    } catch (IOException e) {
      // the prober went away
    }
  }

  /** Closes the held connections of silent nodes (between passes, and at the end). */
  void dropHeld() {
    for (Socket socket : held) {
      try {
        socket.close();
      } catch (IOException ignoredToo) {
        // closing anyway
      }
    }
    held.clear();
  }

  @Override
  public void close() {
    closed = true;
    dropHeld();
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    handlers.shutdownNow();
  }
}
