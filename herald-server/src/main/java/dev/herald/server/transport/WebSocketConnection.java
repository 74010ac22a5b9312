package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.core.client.ClientSession;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * A WebSocket connection after the handshake: the only handler in its pipeline. It reads frames itself
 * ({@link WebSocketFrameReader}), gives each data message to the session, answers pings, echoes the peer's close,
 * and closes with the protocol's code on a violation. Its transport writes pre-framed bytes from this handler's
 * context straight to the socket. Per idle connection that is one pipeline context and these few fields.
 */
final class WebSocketConnection extends ChannelInboundHandlerAdapter implements WebSocketFrameReader.Listener {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    private final Node node;
    private final boolean unidirectional;
    private final Protocol protocol;
    /** The uni_websocket connect request from the URL ({@code cf_connect}), or null. */
    private byte[] urlConnect;
    private final WebSocketFrameReader reader;
    private ChannelHandlerContext ctx;
    private WebSocketTransport transport;
    private ClientSession session;
    /** The peer sent a close frame or broke the protocol: nothing more goes to the session. */
    private boolean closing;

    WebSocketConnection(Node node, Protocol protocol, boolean unidirectional, byte[] urlConnect) {
        this.node = node;
        this.protocol = protocol;
        this.unidirectional = unidirectional;
        this.urlConnect = urlConnect;
        this.reader = new WebSocketFrameReader(node.config().websocket.messageSizeLimit);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Sends the 101 response and starts the session; the HTTP handlers are already gone. {@code requestHeaders} are
     * the upgrade request's headers for the connect proxy. Event loop only.
     */
    void start(ByteBuf switchingProtocols, Map<String, List<String>> requestHeaders) {
        var config = node.config();
        transport = new WebSocketTransport(ctx, protocol, unidirectional, config.client.queueMaxSize,
                config.websocket.writeTimeout.toMillis());
        transport.requestHeaders(requestHeaders);
        ctx.writeAndFlush(switchingProtocols, ctx.voidPromise());
        session = node.newSession(transport);
        if (urlConnect != null) {
            byte[] connect = urlConnect;
            urlConnect = null;
            transport.readStarted();
            UniConnect.start(session, connect);
            transport.readComplete();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || transport == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        transport.readStarted();
        reader.read(in, ctx.alloc(), this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (transport != null) {
            transport.readComplete();
        }
    }

    @Override
    public void onMessage(boolean text, byte[] payload) {
        if (closing) {
            return;
        }
        if (unidirectional) {
            UniConnect.start(session, payload);
        } else {
            session.handleFrame(payload);
        }
    }

    @Override
    public void onPing(byte[] payload) {
        transport.pong(payload);
    }

    @Override
    public void onClose(int code, String reason) {
        closing = true;
        if (transport.isClosed()) {
            return; // our own close frame is out: this is the peer's answer, the write listener closes
        }
        transport.markClosing();
        byte[] echo = code == WebSocketFrameReader.NO_STATUS ? new byte[0]
                : new byte[] {(byte) (code >>> 8), (byte) code};
        ByteBuf frame = ctx.alloc().directBuffer(2 + echo.length);
        WebSocketTransport.writeFrame(frame, 0x8, echo, 0, echo.length);
        transport.flush();
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void onError(int code, String reason) {
        closing = true;
        log.debug("websocket protocol error {}: {}", code, reason);
        if (transport.isClosed()) {
            ctx.close();
            return;
        }
        transport.markClosing();
        transport.flush();
        ctx.writeAndFlush(WebSocketTransport.closeFrame(ctx, code, reason))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reader.release();
        if (transport != null) {
            transport.channelClosed();
            session.transportClosed(transport.closeReason());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("websocket connection error", cause);
        ctx.close();
    }
}
