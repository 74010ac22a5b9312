package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * WebSocket: one frame per element (text for JSON, binary for protobuf), written pre-framed past Netty's frame
 * encoder (see {@link FrameCache}); disconnect = close frame.
 */
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
        return FrameCache.frame(protocol() == Protocol.PROTOBUF ? BINARY : TEXT, element, channel.alloc());
    }

    /** Server frames are unmasked, so one framing serves every connection: FIN + opcode, length, payload. */
    private record Framer(int opcode) implements FrameCache.Framer {
        @Override
        public int length(byte[] element) {
            int n = element.length;
            return (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10) + n;
        }

        @Override
        public void write(ByteBuf out, byte[] element) {
            int n = element.length;
            out.writeByte(0x80 | opcode);
            if (n < 126) {
                out.writeByte(n);
            } else if (n <= 0xFFFF) {
                out.writeByte(126);
                out.writeShort(n);
            } else {
                out.writeByte(127);
                out.writeLong(n);
            }
            out.writeBytes(element);
        }
    }

    private static final Framer TEXT = new Framer(0x1);
    private static final Framer BINARY = new Framer(0x2);

    @Override
    protected Object goodbye(Disconnect disconnect) {
        if (disconnect.code() == Disconnect.CONNECTION_CLOSED.code()) {
            return null;
        }
        return new CloseWebSocketFrame(disconnect.code(), disconnect.reason());
    }
}
