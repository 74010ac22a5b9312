package dev.herald.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The one place that builds and reshapes a connection's pipeline. Every stage it can be in, top (socket) to bottom,
 * by {@link HandlerNames}:
 *
 * <pre>
 * HTTP (every new connection)     http-codec -> http-aggregator -> http-router
 * WebSocket (after the upgrade)   ws-connection                    (frame reader, endpoint session, transport)
 * streaming (SSE, HTTP stream)    http-codec -> stream-connection  (the codec encodes the chunked response)
 * </pre>
 *
 * The WebSocket stage is a single handler on purpose: a transport whose context is the first in the pipeline
 * writes to the socket directly ({@link NettyTransport}), and an idle connection keeps one pipeline context. Only
 * the router moves a connection from the HTTP stage to another, once, and nothing else edits the pipeline.
 */
final class PipelineBuilder extends ChannelInitializer<SocketChannel> {
    private final HttpRouter.Shared router;
    private final int maxRequestBytes;
    /** Set by the first accepted connection (racing loops may each make one: harmless). */
    private volatile AdaptiveRecvByteBufAllocator recvAllocator;

    /**
     * @param router          what every connection's router shares
     * @param maxRequestBytes the largest request body the aggregator collects (the largest of the endpoints' limits)
     */
    PipelineBuilder(HttpRouter.Shared router, int maxRequestBytes) {
        this.router = router;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** The HTTP stage every connection starts in. */
    @Override
    protected void initChannel(SocketChannel ch) {
        ch.config().setRecvByteBufAllocator(recvAllocator(ch));
        ch.pipeline()
                .addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec())
                .addLast(HandlerNames.HTTP_AGGREGATOR, new HttpObjectAggregator(maxRequestBytes))
                .addLast(HandlerNames.HTTP_ROUTER, new HttpRouter(router));
    }

    /**
     * HTTP stage to WebSocket stage: {@code connection} becomes the only handler. Returns its context, which is
     * then the first in the pipeline. Bytes that came after the upgrade request reach the connection as the codec
     * leaves, before it has started, and are dropped: a client sends nothing before the 101 (RFC 6455 4.1). Called
     * by the router from its own {@code channelRead}, on the event loop.
     */
    static ChannelHandlerContext switchToWebSocket(ChannelHandlerContext routerCtx, WebSocketConnection<?> connection) {
        ChannelPipeline p = routerCtx.pipeline();
        p.addLast(HandlerNames.WS_CONNECTION, connection);
        p.remove(HandlerNames.HTTP_AGGREGATOR);
        p.remove(HandlerNames.HTTP_ROUTER);
        p.remove(HandlerNames.HTTP_CODEC);
        return p.context(HandlerNames.WS_CONNECTION);
    }

    /**
     * HTTP stage to streaming stage: the aggregator leaves (nothing more is read as a request) and {@code handler}
     * takes the router's place behind the codec, which keeps encoding the response's chunks. Called by the router
     * from its own {@code channelRead}, on the event loop.
     */
    static void switchToStream(ChannelHandlerContext routerCtx, StreamHandler handler) {
        ChannelPipeline p = routerCtx.pipeline();
        p.remove(HandlerNames.HTTP_AGGREGATOR);
        p.replace(HandlerNames.HTTP_ROUTER, HandlerNames.STREAM_CONNECTION, handler);
    }

    /**
     * One receive-buffer sizing policy for every connection. Netty's channel config makes a new
     * {@link AdaptiveRecvByteBufAllocator} per channel (32 bytes kept by every idle connection), although the
     * allocator is only a stateless factory of per-channel handles. The shared one has the settings the channel's
     * own would get (the channel type's messages per read).
     */
    private RecvByteBufAllocator recvAllocator(Channel ch) {
        AdaptiveRecvByteBufAllocator shared = recvAllocator;
        if (shared == null) {
            shared = new AdaptiveRecvByteBufAllocator();
            shared.maxMessagesPerRead(ch.metadata().defaultMaxMessagesPerRead());
            recvAllocator = shared;
        }
        return shared;
    }
}
