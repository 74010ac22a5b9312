package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;

/**
 * One WebSocket protocol endpoint (Centrifugo's {@code /connection/websocket}, a Pusher {@code /app/{key}}, ...),
 * registered by path in {@link WebSocketEndpoints}. The shared WebSocket code does everything protocol-neutral: the
 * RFC 6455 handshake (with the subprotocols given at registration), the origin check, the frame reader (fragments,
 * size limit, UTF-8, ping/pong, close) and the transport with its direct socket write path. The endpoint only opens
 * a session per connection and receives that connection's whole data messages.
 *
 * <p>The behaviour lives here, once per endpoint, and the per-connection state in the protocol's own session
 * {@code S}: the connection handler keeps a reference to both, so a protocol whose session class cannot implement
 * a server interface (Centrifugo's {@code ClientSession} lives in herald-core) needs no adapter object per
 * connection.
 *
 * <p>Every method runs on the connection's event loop, in wire order, and must not block.
 *
 * @param <S> the protocol's per-connection session
 */
public interface WebSocketEndpoint<S> {

    /**
     * Opens the session of a connection whose handshake just completed (the 101 response is already written). The
     * endpoint makes the connection's transport with {@link WebSocketUpgrade#transport} exactly once, in this call;
     * writes made before this method returns leave in one flush after it. To refuse the connection, close the
     * transport with a disconnect (a close frame with its code) and still return the session.
     *
     * @return the connection's session, never null (null, or an exception, closes the connection at once)
     */
    S open(WebSocketUpgrade upgrade);

    /** A whole text message, reassembled from its fragments and valid UTF-8. */
    void onText(S session, byte[] payload);

    /** A whole binary message, reassembled from its fragments. */
    void onBinary(S session, byte[] payload);

    /**
     * The connection is gone; nothing more is read or written. {@code reason} says why from the server's side
     * (slow consumer) or is "connection closed".
     */
    void onClosed(S session, Disconnect reason);
}
