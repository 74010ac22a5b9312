package dev.herald.server.transport;

import dev.herald.protocol.Protocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What a {@link WebSocketEndpoint} learns from a completed handshake: the request's URI, path, query parameters
 * and headers, the subprotocol the handshake selected, and the connection; and where it makes the connection's
 * transport. Lives only while the endpoint opens its session (keep what you need, not this object).
 */
public final class WebSocketUpgrade {
    private final String uri;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final String subprotocol;
    private final ChannelHandlerContext ctx;
    private final WebSocketConnection.Limits limits;
    private WebSocketTransport transport;
    /** {@link WebSocketEndpoint#open} has returned: a transport made now would belong to no connection. */
    private boolean opened;

    WebSocketUpgrade(String uri, String path, Map<String, List<String>> query, HttpHeaders headers,
                     String subprotocol, ChannelHandlerContext ctx, WebSocketConnection.Limits limits) {
        this.uri = uri;
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.subprotocol = subprotocol;
        this.ctx = ctx;
        this.limits = limits;
    }

    /** The request URI as sent: path and query, not decoded. */
    public String uri() {
        return uri;
    }

    /** The decoded path (a prefix endpoint reads its parameter from here, e.g. the key of {@code /app/{key}}). */
    public String path() {
        return path;
    }

    /** Decoded query parameters, each with its values in request order. */
    public Map<String, List<String>> query() {
        return query;
    }

    /** The first value of query parameter {@code name}, or null. */
    public String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The upgrade request's headers (Origin, Cookie, User-Agent, X-Forwarded-For, ...). */
    public HttpHeaders headers() {
        return headers;
    }

    /** The subprotocol the 101 response named, or null when none was selected. */
    public String subprotocol() {
        return subprotocol;
    }

    /** The connection's channel (its remote address, its event loop). Do not add handlers to its pipeline. */
    public Channel channel() {
        return ctx.channel();
    }

    public SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    /**
     * Makes this connection's transport: data elements go out as text frames for JSON and binary frames for
     * protobuf, a disconnect as a close frame; flushes take the direct socket write path. Once per connection,
     * during {@link WebSocketEndpoint#open}.
     *
     * @param unidirectional the session only receives (the transport reports {@code uni_websocket})
     * @throws IllegalStateException when called a second time, or after {@code open} returned
     */
    public WebSocketTransport transport(Protocol protocol, boolean unidirectional) {
        if (transport != null || opened) {
            throw new IllegalStateException(opened ? "a transport is made only during WebSocketEndpoint.open"
                    : "this connection's transport is already made");
        }
        transport = new WebSocketTransport(ctx, protocol, unidirectional, limits.maxQueuedBytes(),
                limits.closeTimeoutMillis());
        // What the endpoint writes while it opens the session leaves in one flush once open returns.
        transport.readStarted();
        return transport;
    }

    /** Ends the endpoint's {@code open}: returns the transport {@link #transport} made, or null. */
    WebSocketTransport opened() {
        opened = true;
        return transport;
    }
}
