package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.core.config.FrozenConfig;
import dev.herald.server.http.HttpService;
import dev.herald.server.http.Origins;
import dev.herald.server.http.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * First stop of every HTTP request: connection endpoints turn the pipeline into a WebSocket or a streaming response
 * (and this router leaves it, {@link PipelineBuilder}); plain endpoints (API, health, metrics) get a full response
 * and the connection stays an HTTP connection. A path registered in {@link WebSocketEndpoints} is a WebSocket
 * endpoint, whatever its protocol: the router does the handshake and hands the connection to a
 * {@link WebSocketConnection} for that endpoint.
 */
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    static final String UNI_HTTP_STREAM_PATH = "/connection/uni_http_stream";
    static final String UNI_SSE_PATH = "/connection/uni_sse";
    static final String HTTP_STREAM_PATH = "/connection/http_stream";
    static final String SSE_PATH = "/connection/sse";
    static final String EMULATION_PATH = "/emulation";

    private final FrozenConfig config;
    private final Shared shared;

    HttpRouter(Shared shared) {
        this.config = shared.node().config();
        this.shared = shared;
    }

    /**
     * What every connection's router uses, built once per server: a router is created per connection, so it holds
     * only references to this.
     */
    record Shared(Node node, Origins origins, Map<String, HttpService> services, WebSocketEndpoints webSockets,
                  WebSocketConnection.Limits webSocketLimits, StreamEndpoints streams, EmulationEndpoint emulation) {

        static Shared of(Node node, Origins origins, Map<String, HttpService> services,
                         WebSocketEndpoints webSockets) {
            var config = node.config();
            var limits = new WebSocketConnection.Limits(config.websocket.messageSizeLimit,
                    config.client.queueMaxSize, config.websocket.writeTimeout.toMillis());
            return new Shared(node, origins, services, webSockets.snapshot(), limits, new StreamEndpoints(node),
                    new EmulationEndpoint(node));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Responses.send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        WebSocketEndpoints.Route webSocket = shared.webSockets().find(path);
        if (webSocket != null) {
            if (allowOrigin(ctx, request)) {
                upgrade(ctx, request, query, webSocket);
            }
            return;
        }
        switch (path) {
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
                        FrozenConfig.Transport transportConfig) {
        if (!transportConfig.enabled) {
            notFound(ctx, request);
        } else if (allowOrigin(ctx, request)) {
            shared.streams().serve(ctx, request, kind, transportConfig);
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
     * {@link WebSocketConnection} takes over, then the endpoint opens its session. The same for every endpoint.
     */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                         WebSocketEndpoints.Route route) {
        ByteBuf switching;
        try {
            switching = WebSocketHandshake.accept(request, route.subprotocols(), ctx.alloc());
        } catch (WebSocketHandshake.Refused refused) {
            Responses.send(ctx, refused.response, false);
            return;
        }
        String subprotocol = WebSocketHandshake.select(
                request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL), route.subprotocols());
        var connection = new WebSocketConnection<>(route.endpoint(), shared.webSocketLimits().maxMessageBytes());
        ChannelHandlerContext connectionCtx = PipelineBuilder.switchToWebSocket(ctx, connection);
        connection.start(connectionCtx, switching, new WebSocketUpgrade(request.uri(), query.path(),
                query.parameters(), request.headers(), subprotocol, connectionCtx, shared.webSocketLimits()));
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
