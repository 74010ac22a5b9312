package dev.herald.core.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What a session may do to its network connection. Reading belongs to the transport handler, which feeds
 * {@code ClientSession.handle}. All methods are thread-safe.
 */
public interface Transport {

    /** Transport name as Centrifugo reports it: {@code websocket}, {@code uni_http_stream}, {@code sse}, ... */
    String name();

    Protocol protocol();

    /** True for server-to-client-only transports: they get bare pushes and no replies. */
    boolean unidirectional();

    /** True for bidirectional emulation (http_stream, sse): the connect result carries session and node. */
    boolean emulation();

    /**
     * The single thread that owns this connection. Session state changes run here, which keeps a connection's
     * commands in order without locks.
     */
    Executor executor();

    /**
     * Queues one framed element (see {@code ClientCodec}) for writing. May be called from any thread; the bytes are
     * shared and must not be modified. Writes issued together are flushed together.
     */
    void write(byte[] element);

    /** Queues an element without flushing. Only on {@link #executor()}; pair with {@link #flush()}. */
    void writeBuffered(byte[] element);

    /** Flushes what {@link #writeBuffered} queued. Only on {@link #executor()}. */
    void flush();

    /** Sends the disconnect (close frame or disconnect push, as the transport does it) and closes. Idempotent. */
    void close(Disconnect disconnect);

    /**
     * Headers of the HTTP request that opened this connection (WebSocket upgrade or stream request) that the
     * connect proxy forwards ({@code client.proxy.connect.http_headers}), captured at the handshake; names in lower
     * case. Empty when none are configured, or for a transport without an HTTP request.
     */
    default Map<String, List<String>> requestHeaders() {
        return Map.of();
    }
}
