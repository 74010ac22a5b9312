package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.core.config.HeraldConfig;
import dev.herald.server.http.HttpService;
import dev.herald.server.http.Origins;
import dev.herald.server.http.Responses;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * First stop of every HTTP request: connection endpoints turn the pipeline into a WebSocket or a streaming response
 * (and this router leaves it); plain endpoints (API, health, metrics) get a full response and the connection stays
 * an HTTP connection.
 */
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    static final String WEBSOCKET_PATH = "/connection/websocket";
    static final String UNI_WEBSOCKET_PATH = "/connection/uni_websocket";
    static final String UNI_HTTP_STREAM_PATH = "/connection/uni_http_stream";
    static final String UNI_SSE_PATH = "/connection/uni_sse";
    static final String HTTP_STREAM_PATH = "/connection/http_stream";
    static final String SSE_PATH = "/connection/sse";
    static final String EMULATION_PATH = "/emulation";
    static final String JSON_SUBPROTOCOL = "centrifuge-json";
    static final String PROTOBUF_SUBPROTOCOL = "centrifuge-protobuf";
    private static final String[] SUBPROTOCOLS = {JSON_SUBPROTOCOL, PROTOBUF_SUBPROTOCOL};
    private static final String[] NO_SUBPROTOCOLS = {};

    private final Node node;
    private final HeraldConfig config;
    private final Shared shared;

    HttpRouter(Shared shared) {
        this.node = shared.node();
        this.config = node.config();
        this.shared = shared;
    }

    /**
     * What every connection's router uses, built once per server: a router is created per connection, so it holds
     * only references to this.
     */
    record Shared(Node node, Origins origins, Map<String, HttpService> services, StreamEndpoints streams,
                  EmulationEndpoint emulation) {

        static Shared of(Node node, Origins origins, Map<String, HttpService> services) {
            return new Shared(node, origins, services, new StreamEndpoints(node), new EmulationEndpoint(node));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Responses.send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case WEBSOCKET_PATH -> {
                if (!config.websocket.disabled && allowOrigin(ctx, request)) {
                    upgrade(ctx, request, false);
                } else if (config.websocket.disabled) {
                    notFound(ctx, request);
                }
            }
            case UNI_WEBSOCKET_PATH -> {
                if (config.uniWebsocket.enabled && allowOrigin(ctx, request)) {
                    upgrade(ctx, request, true);
                } else if (!config.uniWebsocket.enabled) {
                    notFound(ctx, request);
                }
            }
            case UNI_HTTP_STREAM_PATH -> stream(ctx, request, StreamEndpoints.Kind.UNI_HTTP_STREAM,
                    config.uniHttpStream);
            case UNI_SSE_PATH -> stream(ctx, request, StreamEndpoints.Kind.UNI_SSE, config.uniSse);
            case HTTP_STREAM_PATH -> stream(ctx, request, StreamEndpoints.Kind.HTTP_STREAM, config.httpStream);
            case SSE_PATH -> stream(ctx, request, StreamEndpoints.Kind.SSE, config.sse);
            case EMULATION_PATH -> {
                if (config.httpStream.enabled || config.sse.enabled) {
                    shared.emulation().serve(ctx, request);
                } else {
                    notFound(ctx, request);
                }
            }
            default -> serve(ctx, request, path);
        }
    }

    private void stream(ChannelHandlerContext ctx, FullHttpRequest request, StreamEndpoints.Kind kind,
                        HeraldConfig.Transport transportConfig) {
        if (!transportConfig.enabled) {
            notFound(ctx, request);
        } else if (allowOrigin(ctx, request)) {
            shared.streams().serve(ctx, this, request, kind, transportConfig);
        }
    }

    private boolean allowOrigin(ChannelHandlerContext ctx, FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (shared.origins().allowed(origin)) {
            return true;
        }
        log.info("request from origin {} refused: not in client.allowed_origins", origin);
        Responses.send(ctx, Responses.text(HttpResponseStatus.FORBIDDEN, "origin not allowed\n"), false);
        return false;
    }

    /**
     * Switches this connection to WebSocket in place: the HTTP handlers leave the pipeline and one
     * {@link WebSocketConnection} takes over (bytes that followed the request reach it when the codec leaves).
     */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, boolean unidirectional) {
        ByteBuf switching;
        try {
            switching = WebSocketHandshake.accept(request, unidirectional ? NO_SUBPROTOCOLS : SUBPROTOCOLS,
                    ctx.alloc());
        } catch (WebSocketHandshake.Refused refused) {
            Responses.send(ctx, refused.response, false);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        Protocol protocol = unidirectional ? Protocol.JSON : protocolOf(request, query);
        byte[] urlConnect = null;
        if (unidirectional) {
            List<String> connect = query.parameters().get("cf_connect");
            if (connect != null && !connect.isEmpty()) {
                urlConnect = connect.getFirst().getBytes(StandardCharsets.UTF_8);
            }
        }
        WebSocketConnection connection = new WebSocketConnection(node, protocol, unidirectional, urlConnect);
        Map<String, List<String>> proxyHeaders = ProxyHeaders.capture(request.headers(), config);
        ChannelPipeline p = ctx.pipeline();
        p.addLast(HandlerNames.WS_CONNECTION, connection);
        p.remove(HandlerNames.HTTP_AGGREGATOR);
        p.remove(this);
        p.remove(HandlerNames.HTTP_CODEC);
        connection.start(switching, proxyHeaders);
    }

    private static Protocol protocolOf(FullHttpRequest request, QueryStringDecoder query) {
        String selected = WebSocketHandshake.select(
                request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL), SUBPROTOCOLS);
        if (PROTOBUF_SUBPROTOCOL.equals(selected)) {
            return Protocol.PROTOBUF;
        }
        if (JSON_SUBPROTOCOL.equals(selected)) {
            return Protocol.JSON;
        }
        var params = query.parameters();
        List<String> format = params.getOrDefault("cf_protocol", params.get("format"));
        return format != null && format.contains("protobuf") ? Protocol.PROTOBUF : Protocol.JSON;
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        HttpService service = shared.services().get(path);
        if (service == null) {
            int slash = path.indexOf('/', 1);
            if (slash > 0) {
                service = shared.services().get(path.substring(0, slash + 1));
            }
        }
        if (service == null) {
            notFound(ctx, request);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        service.handle(request).whenComplete((response, error) -> {
            FullHttpResponse out = response;
            if (error != null) {
                log.warn("{} failed", path, error);
                out = Responses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal server error\n");
            }
            FullHttpResponse toSend = out;
            if (ctx.executor().inEventLoop()) {
                Responses.send(ctx, toSend, keepAlive);
            } else {
                ctx.executor().execute(() -> Responses.send(ctx, toSend, keepAlive));
            }
        });
    }

    private static void notFound(ChannelHandlerContext ctx, FullHttpRequest request) {
        Responses.send(ctx, Responses.text(HttpResponseStatus.NOT_FOUND, "404 page not found\n"),
                HttpUtil.isKeepAlive(request));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("http connection error", cause);
        ctx.close();
    }
}
