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
 * A streamed HTTP response carrying unidirectional pushes: newline-delimited JSON (uni_http_stream) or server-sent
 * events (uni_sse). Disconnect = a disconnect push, then the end of the response.
 */
final class StreamTransport extends NettyTransport {
    /** How elements are wrapped in the response body. */
    enum Framing {
        NEWLINE("uni_http_stream", "", "\n"),
        SSE("uni_sse", "data: ", "\n\n");

        final String transportName;
        final byte[] prefix;
        final byte[] suffix;

        Framing(String transportName, String prefix, String suffix) {
            this.transportName = transportName;
            this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
            this.suffix = suffix.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Framing framing;

    StreamTransport(Channel channel, Framing framing, long maxQueuedBytes, long closeTimeoutMillis) {
        super(channel, Protocol.JSON, maxQueuedBytes, closeTimeoutMillis);
        this.framing = framing;
    }

    @Override
    public String name() {
        return framing.transportName;
    }

    @Override
    public boolean unidirectional() {
        return true;
    }

    @Override
    public boolean emulation() {
        return false;
    }

    @Override
    protected Object frame(byte[] element) {
        return new DefaultHttpContent(wrap(element));
    }

    @Override
    protected Object goodbye(Disconnect disconnect) {
        if (disconnect.code() == Disconnect.CONNECTION_CLOSED.code()) {
            return null;
        }
        byte[] push = ClientCodec.of(Protocol.JSON).encodeUniPush(
                new Push("", new PushBody.Disconnect(disconnect.code(), disconnect.reason(), disconnect.reconnect())));
        return new DefaultLastHttpContent(wrap(push));
    }

    private io.netty.buffer.ByteBuf wrap(byte[] element) {
        return framing.prefix.length == 0 ? Unpooled.wrappedBuffer(element, framing.suffix)
                : Unpooled.wrappedBuffer(framing.prefix, element, framing.suffix);
    }
}
