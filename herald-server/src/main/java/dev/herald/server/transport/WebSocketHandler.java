package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.core.client.ClientSession;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The one handler per WebSocket connection: creates the session when the handshake completes, then hands it every
 * data frame as bytes and releases the frame. Control frames are Netty's business.
 */
final class WebSocketHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);
    static final String PROTOBUF_SUBPROTOCOL = "centrifuge-protobuf";

    private final Node node;
    private final boolean unidirectional;
    private WebSocketTransport transport;
    private ClientSession session;

    WebSocketHandler(Node node, boolean unidirectional) {
        this.node = node;
        this.unidirectional = unidirectional;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
            Protocol protocol = unidirectional ? Protocol.JSON : protocolOf(handshake);
            var client = node.config().client;
            transport = new WebSocketTransport(ctx.channel(), protocol, unidirectional, client.queueMaxSize,
                    node.config().websocket.writeTimeout.toMillis());
            session = node.newSession(transport);
            if (unidirectional) {
                List<String> connect = new QueryStringDecoder(handshake.requestUri()).parameters().get("cf_connect");
                if (connect != null && !connect.isEmpty()) {
                    UniConnect.start(session, connect.getFirst().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private static Protocol protocolOf(WebSocketServerProtocolHandler.HandshakeComplete handshake) {
        if (PROTOBUF_SUBPROTOCOL.equals(handshake.selectedSubprotocol())) {
            return Protocol.PROTOBUF;
        }
        var params = new QueryStringDecoder(handshake.requestUri()).parameters();
        List<String> format = params.getOrDefault("cf_protocol", params.get("format"));
        return format != null && format.contains("protobuf") ? Protocol.PROTOBUF : Protocol.JSON;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame) || session == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            ByteBuf content = frame.content();
            byte[] bytes = ByteBufUtil.getBytes(content);
            transport.readStarted();
            if (unidirectional) {
                UniConnect.start(session, bytes);
            } else {
                session.handleFrame(bytes);
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (transport != null) {
            transport.readComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            session.transportClosed(transport.closeReason());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedWebSocketFrameException) {
            log.debug("websocket: {}", cause.getMessage());
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        log.debug("websocket connection error", cause);
        ctx.close();
    }
}
