package dev.herald.core;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** A transport that records what the session writes; runs everything on the calling thread. */
public final class FakeTransport implements Transport {
    private final String name;
    private final Protocol protocol;
    private final boolean unidirectional;
    public final List<byte[]> written = new CopyOnWriteArrayList<>();
    public volatile Disconnect closedWith;
    public volatile int flushes;

    public FakeTransport() {
        this("websocket", Protocol.JSON, false);
    }

    public FakeTransport(String name, Protocol protocol, boolean unidirectional) {
        this.name = name;
        this.protocol = protocol;
        this.unidirectional = unidirectional;
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

    @Override
    public boolean emulation() {
        return false;
    }

    @Override
    public Executor executor() {
        return Runnable::run;
    }

    @Override
    public void write(byte[] element) {
        written.add(element);
    }

    @Override
    public void writeBuffered(byte[] element) {
        written.add(element);
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public void close(Disconnect disconnect) {
        if (closedWith == null) {
            closedWith = disconnect;
        }
    }

    /** Everything written so far as UTF-8 strings (JSON transports). */
    public List<String> texts() {
        return written.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    public String last() {
        List<String> t = texts();
        return t.isEmpty() ? null : t.getLast();
    }
}
