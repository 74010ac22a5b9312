package dev.herald.server.transport;

import dev.herald.core.client.ClientSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Owns a streaming response's session: ignores anything the client sends, ends the session with the socket. */
final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final ClientSession session;
    private final NettyTransport transport;

    StreamHandler(ClientSession session, NettyTransport transport) {
        this.session = session;
        this.transport = transport;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        session.transportClosed(transport.closeReason());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
