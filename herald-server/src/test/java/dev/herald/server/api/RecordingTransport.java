package dev.herald.server.api;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** A transport that runs everything on the caller's thread and records what the session writes and why it closed. */
final class RecordingTransport implements Transport {
    private final String name;
    private final boolean unidirectional;
    private final List<String> written = new ArrayList<>();
    private volatile Disconnect closedWith;

    RecordingTransport(String name, boolean unidirectional) {
        this.name = name;
        this.unidirectional = unidirectional;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Protocol protocol() {
        return Protocol.JSON;
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
    public synchronized void write(byte[] element) {
        written.add(new String(element, StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void writeBuffered(byte[] element) {
        written.add(new String(element, StandardCharsets.UTF_8));
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

    synchronized List<String> written() {
        return List.copyOf(written);
    }

    Disconnect closedWith() {
        return closedWith;
    }
}
