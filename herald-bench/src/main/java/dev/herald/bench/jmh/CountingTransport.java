package dev.herald.bench.jmh;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;

import java.util.concurrent.Executor;

/**
 * A transport that runs everything on the calling thread and only counts what it is given, so a benchmark measures
 * the core's work and not a network.
 */
final class CountingTransport implements Transport {
    private final Protocol protocol;
    long writes;
    long bytes;
    long flushes;
    Disconnect closedWith;

    CountingTransport(Protocol protocol) {
        this.protocol = protocol;
    }

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public boolean unidirectional() {
        return false;
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
        writes++;
        bytes += element.length;
    }

    @Override
    public void writeBuffered(byte[] element) {
        writes++;
        bytes += element.length;
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public void close(Disconnect disconnect) {
        closedWith = disconnect;
    }
}
