package io.autohealer.simulator.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a loopback port in front of a server, to take that server away from its
 * clients and give it back: {@link #cut()} closes every open connection (watches included) and stops
 * listening, so that new connections are refused, as from a server that is down; {@link #restore()}
 * listens on the same port again. The server itself, and its other clients, see nothing.
 */
public final class TcpProxy implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int targetPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket listener;

  private TcpProxy(int targetPort, int port) {
    this.targetPort = targetPort;
    this.port = port;
  }

  /** Forwards a free loopback port to {@code targetPort} on loopback. */
  public static TcpProxy start(int targetPort) {
    try (ServerSocket probe = new ServerSocket(0, 50, LOOPBACK)) {
      TcpProxy proxy = new TcpProxy(targetPort, probe.getLocalPort());
      probe.close();
      proxy.restore();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + LOOPBACK.getHostAddress() + ":" + port;
  }

  public synchronized boolean isCut() {
    return listener == null;
  }

  /** Closes every connection through the proxy and refuses new ones until {@link #restore()}. */
  public synchronized void cut() {
    if (listener != null) {
      closeQuietly(listener);
      listener = null;
    }
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  /** Listens again on the same port. */
  public synchronized void restore() {
    if (listener != null) {
      return;
    }
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(LOOPBACK, port));
      listener = socket;
      daemon("proxy-accept-" + port, () -> accept(socket)).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on loopback port " + port + " again", e);
    }
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // cut or closed
      }
      Socket server;
      try {
        server = new Socket(LOOPBACK, targetPort);
      } catch (IOException e) {
        closeQuietly(client);
        continue;
      }
      synchronized (this) {
        if (listener != socket) { // cut while connecting
          closeQuietly(client);
          closeQuietly(server);
          return;
        }
        open.add(client);
        open.add(server);
      }
      daemon("proxy-up-" + port, () -> pump(client, server)).start();
      daemon("proxy-down-" + port, () -> pump(server, client)).start();
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (SocketException closed) {
      // the other side or cut() closed it
    } catch (IOException e) {
      // as above: a broken connection ends both directions
    } finally {
      open.remove(from);
      open.remove(to);
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    cut();
  }
}
