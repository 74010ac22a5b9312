package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** Bidirectional WebSocket: one frame per element (text for JSON, binary for protobuf); disconnect = close frame. */
final class WebSocketTransport extends NettyTransport {
    private final boolean unidirectional;

    WebSocketTransport(Channel channel, Protocol protocol, boolean unidirectional, long maxQueuedBytes,
                       long closeTimeoutMillis) {
        super(channel, protocol, maxQueuedBytes, closeTimeoutMillis);
        this.unidirectional = unidirectional;
    }

    @Override
    public String name() {
        return unidirectional ? "uni_websocket" : "websocket";
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
    protected Object frame(byte[] element) {
        return protocol() == Protocol.PROTOBUF ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(element))
                : new TextWebSocketFrame(Unpooled.wrappedBuffer(element));
    }

    @Override
    protected Object goodbye(Disconnect disconnect) {
        if (disconnect.code() == Disconnect.CONNECTION_CLOSED.code()) {
            return null;
        }
        return new CloseWebSocketFrame(disconnect.code(), disconnect.reason());
    }
}
