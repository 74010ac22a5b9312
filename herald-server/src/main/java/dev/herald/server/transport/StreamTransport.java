package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Push;
import dev.herald.protocol.PushBody;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;

import java.nio.charset.StandardCharsets;

/**
 * A streamed HTTP response: unidirectional pushes (uni_http_stream, uni_sse) or, for the bidirectional emulation
 * transports (http_stream, sse), replies and pushes whose commands arrive through {@code /emulation}. Elements are
 * newline-delimited JSON, varint-delimited protobuf or server-sent events. Disconnect = a disconnect push, then the
 * end of the response.
 */
final class StreamTransport extends NettyTransport {
    /** How elements are wrapped in the response body. */
    enum Framing implements FrameCache.Framer {
        NEWLINE("", "\n"),
        /** Protobuf elements carry their own varint length. */
        LENGTH_PREFIXED("", ""),
        SSE("data: ", "\n\n");

        final byte[] prefix;
        final byte[] suffix;

        Framing(String prefix, String suffix) {
            this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
            this.suffix = suffix.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int length(byte[] element) {
            return prefix.length + element.length + suffix.length;
        }

        @Override
        public void write(io.netty.buffer.ByteBuf out, byte[] element) {
            out.writeBytes(prefix).writeBytes(element).writeBytes(suffix);
        }
    }

    private final String name;
    private final boolean unidirectional;
    private final Framing framing;

    StreamTransport(Channel channel, String name, Protocol protocol, boolean unidirectional, Framing framing,
                    long maxQueuedBytes, long closeTimeoutMillis) {
        super(channel, protocol, maxQueuedBytes, closeTimeoutMillis);
        this.name = name;
        this.unidirectional = unidirectional;
        this.framing = framing;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean unidirectional() {
        return unidirectional;
    }

    @Override
    public boolean emulation() {
        return !unidirectional;
    }

    @Override
    protected Object frame(byte[] element) {
        return new DefaultHttpContent(FrameCache.frame(framing, element, channel.alloc()));
    }

    @Override
    protected Object goodbye(Disconnect disconnect) {
        if (disconnect.code() == Disconnect.CONNECTION_CLOSED.code()) {
            return null;
        }
        Push goodbye = new Push("", new PushBody.Disconnect(disconnect.code(), disconnect.reason(),
                disconnect.reconnect()));
        ClientCodec codec = ClientCodec.of(protocol());
        byte[] push = unidirectional ? codec.encodeUniPush(goodbye) : codec.encodePush(goodbye);
        io.netty.buffer.ByteBuf last = Unpooled.buffer(framing.length(push));
        framing.write(last, push);
        return new DefaultLastHttpContent(last);
    }

}
