package dev.herald.engines.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server process (redis-server, nats-server) for a test class: started on a free loopback port, stopped
 * by its own pid (never by name), restartable on the same port to test outages. Output goes to a log file under
 * target/ for post-mortems.
 */
public abstract class ServerProcess implements AutoCloseable {
    private final int port;
    private final Path log;
    private Process process;

    protected ServerProcess(String name) {
        this.port = freePort();
        try {
            Path dir = Path.of("target", "servers");
            Files.createDirectories(dir);
            this.log = dir.resolve(name + "-" + port + ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line that runs the server on {@code port}, in the foreground. */
    protected abstract List<String> command(int port);

    public int port() {
        return port;
    }

    /** Starts the process and waits (at most 10 s) until its port accepts connections. */
    public synchronized ServerProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            process = new ProcessBuilder(command(port)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command(port).getFirst()
                    + " (bin/test installs it): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(command(port).getFirst() + " exited; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                pause();
            }
        }
        throw new IllegalStateException(command(port).getFirst() + " did not open port " + port + "; see " + log);
    }

    /** Kills the process (SIGKILL by pid) and waits for it to exit. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A free TCP port on the loopback address (free when asked: bind it soon). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
