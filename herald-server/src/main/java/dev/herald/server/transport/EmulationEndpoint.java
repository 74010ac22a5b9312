package dev.herald.server.transport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.herald.core.Node;
import dev.herald.core.client.ClientSession;
import dev.herald.server.http.Responses;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

import java.io.IOException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /emulation}: the client-to-server half of http_stream and sse. The body names the node and session
 * (from the connect result) and carries commands, which run on the session's own event loop. 204 when handed over,
 * 404 for an unknown node or session, 400 for a malformed body.
 */
final class EmulationEndpoint {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_BODY = 65_536;
    /** How long a request for a session on another node waits for that node. */
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final Node node;

    EmulationEndpoint(Node node) {
        this.node = node;
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (HttpMethod.OPTIONS.equals(request.method())) {
            FullHttpResponse response = Responses.of(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
            Cors.preflight(request, response);
            Responses.send(ctx, response, keepAlive);
            return;
        }
        if (!HttpMethod.POST.equals(request.method())) {
            Responses.send(ctx, Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n"),
                    keepAlive);
            return;
        }
        if (request.content().readableBytes() > MAX_BODY) {
            Responses.send(ctx, Responses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body too large\n"), false);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        EmulationRequest parsed;
        try {
            parsed = type != null && type.startsWith("application/octet-stream") ? parseProtobuf(body)
                    : parseJson(body);
        } catch (IOException | RuntimeException e) {
            Responses.send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST,
                    "malformed emulation request\n"), keepAlive);
            return;
        }
        if (!parsed.node().isEmpty() && !node.id().equals(parsed.node())) {
            // The session lives on another node: hand the data over there and answer as that node did.
            node.control().forwardEmulation(parsed.node(), parsed.session(), parsed.data(), FORWARD_TIMEOUT)
                    .whenComplete((found, error) -> ctx.executor().execute(() ->
                            respond(ctx, request, keepAlive, error == null && found)));
            return;
        }
        ClientSession session = node.hub().sessionBySessionId(parsed.session()) instanceof ClientSession s ? s : null;
        if (session != null) {
            byte[] data = parsed.data();
            session.executor().execute(() -> session.handleFrame(data));
        }
        respond(ctx, request, keepAlive, session != null);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive,
                                boolean found) {
        FullHttpResponse response = found ? Responses.of(HttpResponseStatus.NO_CONTENT, null, new byte[0])
                : Responses.text(HttpResponseStatus.NOT_FOUND, "session not found\n");
        Cors.allow(request, response);
        Responses.send(ctx, response, keepAlive);
    }

    private record EmulationRequest(String node, String session, byte[] data) {
    }

    /** JSON form: {@code data} is a string holding the newline-joined commands. */
    private static EmulationRequest parseJson(byte[] body) throws IOException {
        String nodeId = "";
        String session = "";
        byte[] data = new byte[0];
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("object expected");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "node" -> nodeId = p.getValueAsString("");
                    case "session" -> session = p.getValueAsString("");
                    case "data" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            data = p.getText().getBytes(StandardCharsets.UTF_8);
                        } else {
                            throw new IOException("data must be a string");
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        return new EmulationRequest(nodeId, session, data);
    }

    /** Protobuf form: {@code EmulationRequest{node = 1, session = 2, data = 3}}. */
    private static EmulationRequest parseProtobuf(byte[] body) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        String nodeId = "";
        String session = "";
        byte[] data = new byte[0];
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> nodeId = in.readStringRequireUtf8();
                case 2 -> session = in.readStringRequireUtf8();
                case 3 -> data = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        return new EmulationRequest(nodeId, session, data);
    }
}
