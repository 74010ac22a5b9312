package dev.herald.core.testing;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * A transport that runs everything on the caller's thread and records what the session writes and why it closed.
 * Shared by the core and server test suites (the core's test jar).
 */
public final class FakeTransport implements Transport {
    private final String name;
    private final Protocol protocol;
    private final boolean unidirectional;
    private final Executor executor;
    private final List<byte[]> frames = new CopyOnWriteArrayList<>();
    private volatile Disconnect closedWith;

    public FakeTransport() {
        this("websocket", Protocol.JSON, false);
    }

    public FakeTransport(String name, boolean unidirectional) {
        this(name, Protocol.JSON, unidirectional);
    }

    public FakeTransport(String name, Protocol protocol, boolean unidirectional) {
        this(name, protocol, unidirectional, Runnable::run);
    }

    /** With an executor of its own, for tests where deliveries and timers come from other threads. */
    public FakeTransport(String name, Protocol protocol, boolean unidirectional, Executor executor) {
        this.name = name;
        this.protocol = protocol;
        this.unidirectional = unidirectional;
        this.executor = executor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public boolean unidirectional() {
        return unidirectional;
    }

    /** Bidirectional emulation, as the server's {@code http_stream} and {@code sse} transports are. */
    @Override
    public boolean emulation() {
        return !unidirectional && (name.equals("http_stream") || name.equals("sse"));
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public void write(byte[] element) {
        frames.add(element);
    }

    @Override
    public void writeBuffered(byte[] element) {
        frames.add(element);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close(Disconnect disconnect) {
        if (closedWith == null) {
            closedWith = disconnect;
        }
    }

    /** Every element written, as bytes. */
    public List<byte[]> frames() {
        return List.copyOf(frames);
    }

    /** Every element written, as UTF-8 text (JSON transports). */
    public List<String> written() {
        return frames.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    /** The last element written as text, or null. */
    public String last() {
        List<String> all = written();
        return all.isEmpty() ? null : all.getLast();
    }

    /** Why the server closed the connection, or null while open. */
    public Disconnect closedWith() {
        return closedWith;
    }
}
