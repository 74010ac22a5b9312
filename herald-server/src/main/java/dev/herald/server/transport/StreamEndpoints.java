package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.FrozenConfig;
import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.Request;
import dev.herald.server.http.Responses;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The HTTP streaming connection endpoints. Each turns its connection into one long response: unidirectional ones
 * (uni_http_stream, uni_sse) take a bare connect request; the bidirectional emulation ones (http_stream, sse) take
 * the first commands and receive later ones through {@code /emulation}.
 */
final class StreamEndpoints {
    /** What distinguishes one streaming endpoint from another. */
    enum Kind {
        UNI_HTTP_STREAM("uni_http_stream", true, false),
        UNI_SSE("uni_sse", true, true),
        HTTP_STREAM("http_stream", false, false),
        SSE("sse", false, true);

        final String transportName;
        final boolean unidirectional;
        final boolean sse;

        Kind(String transportName, boolean unidirectional, boolean sse) {
            this.transportName = transportName;
            this.unidirectional = unidirectional;
            this.sse = sse;
        }
    }

    private final Node node;
    private final FrozenConfig config;

    StreamEndpoints(Node node) {
        this.node = node;
        this.config = node.config();
    }

    /** Serves one streaming request; on success the router is replaced by the stream's handler. */
    void serve(ChannelHandlerContext ctx, FullHttpRequest request, Kind kind,
               FrozenConfig.Transport transportConfig) {
        HttpMethod method = request.method();
        if (HttpMethod.OPTIONS.equals(method)) {
            var response = Responses.of(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
            Cors.preflight(request, response);
            Responses.send(ctx, response, HttpUtil.isKeepAlive(request));
            return;
        }
        byte[] body;
        if (HttpMethod.POST.equals(method)) {
            if (request.content().readableBytes() > transportConfig.maxRequestBodySize) {
                Responses.send(ctx, Responses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "request body too large\n"), false);
                return;
            }
            body = ByteBufUtil.getBytes(request.content());
        } else if (kind.sse && HttpMethod.GET.equals(method)) {
            List<String> connect = new QueryStringDecoder(request.uri()).parameters().get("cf_connect");
            body = connect == null || connect.isEmpty() ? new byte[0]
                    : connect.getFirst().getBytes(StandardCharsets.UTF_8);
        } else {
            Responses.send(ctx, Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n"),
                    false);
            return;
        }
        Protocol protocol = !kind.sse && isBinary(request) ? Protocol.PROTOBUF : Protocol.JSON;
        Request.Connect uniConnect = null;
        if (kind.unidirectional) {
            try {
                uniConnect = ClientCodec.of(Protocol.JSON).decodeConnectRequest(body);
            } catch (ProtocolException e) {
                Responses.send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST,
                        "malformed connect request: " + e.getMessage() + "\n"), false);
                return;
            }
        } else if (body.length == 0) {
            Responses.send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, "connect command required\n"), false);
            return;
        }

        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType(kind, protocol))
                .set(HttpHeaderNames.CACHE_CONTROL, "private, no-cache, no-store, must-revalidate, max-age=0")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        Cors.allow(request, response);
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.writeAndFlush(response);

        StreamTransport.Framing framing = kind.sse ? StreamTransport.Framing.SSE
                : protocol == Protocol.PROTOBUF ? StreamTransport.Framing.LENGTH_PREFIXED
                : StreamTransport.Framing.NEWLINE;
        StreamTransport transport = new StreamTransport(ctx.channel(), kind.transportName, protocol,
                kind.unidirectional, framing, config.client.queueMaxSize, config.websocket.writeTimeout.toMillis());
        transport.requestHeaders(ProxyHeaders.capture(request.headers(), config));
        ClientSession session = node.newSession(transport);
        PipelineBuilder.switchToStream(ctx, new StreamHandler(session, transport));
        if (kind.unidirectional) {
            session.handleUniConnect(uniConnect);
        } else {
            session.handleFrame(body);
        }
    }

    private static boolean isBinary(FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.startsWith("application/octet-stream");
    }

    private static String contentType(Kind kind, Protocol protocol) {
        if (kind.sse) {
            return "text/event-stream; charset=utf-8";
        }
        return protocol == Protocol.PROTOBUF ? "application/octet-stream" : "application/json";
    }
}
