package dev.herald.server.transport;

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
 * A WebSocket connection after the handshake, for any {@link WebSocketEndpoint}: the only handler in its pipeline
 * ({@link PipelineBuilder#switchToWebSocket}). It reads frames itself ({@link WebSocketFrameReader}), hands each
 * data message to the endpoint with the connection's session, answers pings, echoes the peer's close, and closes
 * with the protocol's code on a violation. Its transport writes pre-framed bytes from this handler's context
 * straight to the socket.
 *
 * <p>Per idle connection that is one pipeline context and these five fields; the endpoint is shared by all its
 * connections and the context is reached through the transport rather than kept twice.
 *
 * @param <S> the endpoint's session type
 */
final class WebSocketConnection<S> extends ChannelInboundHandlerAdapter implements WebSocketFrameReader.Listener {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    /** What every WebSocket connection of a server gets, whatever its endpoint. */
    record Limits(int maxMessageBytes, long maxQueuedBytes, long closeTimeoutMillis) {
    }

    private final WebSocketEndpoint<S> endpoint;
    private final WebSocketFrameReader reader;
    /** Null until the endpoint made it in {@link #start}: bytes read before that are dropped. */
    private WebSocketTransport transport;
    /** Null until the endpoint opened it (or if opening failed: the connection is then closing). */
    private S session;
    /** The peer sent a close frame or broke the protocol: nothing more goes to the session. */
    private boolean closing;

    WebSocketConnection(WebSocketEndpoint<S> endpoint, int maxMessageBytes) {
        this.endpoint = endpoint;
        this.reader = new WebSocketFrameReader(maxMessageBytes);
    }

    /**
     * Sends the 101 response and lets the endpoint open its session; the HTTP handlers are already gone, so
     * {@code ctx} is the first in the pipeline and the transport made on it writes to the socket directly. Event
     * loop only.
     */
    void start(ChannelHandlerContext ctx, ByteBuf switchingProtocols, WebSocketUpgrade upgrade) {
        ctx.writeAndFlush(switchingProtocols, ctx.voidPromise());
        S opened = null;
        try {
            opened = endpoint.open(upgrade);
        } catch (RuntimeException e) {
            log.warn("websocket endpoint {} failed to open a session", upgrade.path(), e);
        }
        transport = upgrade.opened();
        if (transport == null) {
            if (opened != null) {
                log.warn("websocket endpoint {} opened a session without making its transport", upgrade.path());
            }
            ctx.close();
            return;
        }
        session = opened;
        if (opened == null) {
            transport.markClosing();
            ctx.close();
            return;
        }
        transport.readComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || session == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        transport.readStarted();
        reader.read(in, ctx.alloc(), this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (session != null) {
            transport.readComplete();
        }
    }

    @Override
    public void onMessage(boolean text, byte[] payload) {
        if (closing) {
            return;
        }
        if (text) {
            endpoint.onText(session, payload);
        } else {
            endpoint.onBinary(session, payload);
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
        ChannelHandlerContext ctx = transport.context();
        ByteBuf frame = ctx.alloc().directBuffer(2 + echo.length);
        WebSocketTransport.writeFrame(frame, 0x8, echo, 0, echo.length);
        transport.flush();
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void onError(int code, String reason) {
        closing = true;
        log.debug("websocket protocol error {}: {}", code, reason);
        ChannelHandlerContext ctx = transport.context();
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
            if (session != null) {
                endpoint.onClosed(session, transport.closeReason());
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("websocket connection error", cause);
        ctx.close();
    }
}
