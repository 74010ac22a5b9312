package dev.herald.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;
import dev.herald.server.http.Responses;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server side of the RFC 6455 opening handshake, done in place: validate the upgrade request, pick a
 * subprotocol, and produce the 101 response as raw bytes, so the connection can go straight from the HTTP codec
 * to {@link WebSocketConnection} with no handshaker, frame codec or aggregator objects left behind.
 */
final class WebSocketHandshake {
    private static final byte[] ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE_HEAD = ("HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROTOCOL_HEADER = "\r\nSec-WebSocket-Protocol: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF_CRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final FastThreadLocal<MessageDigest> SHA1 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() throws NoSuchAlgorithmException {
            return MessageDigest.getInstance("SHA-1");
        }
    };

    /** A refusal: the HTTP response to send instead of switching protocols. */
    static final class Refused extends Exception {
        final transient FullHttpResponse response;

        Refused(FullHttpResponse response) {
            super(null, null, false, false);
            this.response = response;
        }
    }

    private WebSocketHandshake() {
    }

    /**
     * The 101 response for {@code request}, selecting the first subprotocol the client offers that is in
     * {@code supported} (none when {@code supported} is empty).
     *
     * @throws Refused with 403 for a method other than GET, 426 for a version other than 13 and 400 for anything
     *                 else that is not a WebSocket upgrade
     */
    static ByteBuf accept(FullHttpRequest request, String[] supported, ByteBufAllocator alloc) throws Refused {
        HttpHeaders headers = request.headers();
        if (!HttpMethod.GET.equals(request.method())) {
            throw refused(HttpResponseStatus.FORBIDDEN, "websocket: the handshake must be a GET request\n");
        }
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            throw refused(HttpResponseStatus.BAD_REQUEST,
                    "websocket: the client is not using the websocket protocol\n");
        }
        if (!"13".equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            Refused refused = refused(HttpResponseStatus.UPGRADE_REQUIRED,
                    "websocket: unsupported version: 13 is the only supported version\n");
            refused.response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            throw refused;
        }
        String key = headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank()) {
            throw refused(HttpResponseStatus.BAD_REQUEST, "websocket: Sec-WebSocket-Key header is missing\n");
        }
        String protocol = select(headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL), supported);
        byte[] accept = acceptValue(key.trim());
        int length = RESPONSE_HEAD.length + accept.length + CRLF_CRLF.length
                + (protocol == null ? 0 : PROTOCOL_HEADER.length + protocol.length());
        ByteBuf out = alloc.directBuffer(length);
        out.writeBytes(RESPONSE_HEAD).writeBytes(accept);
        if (protocol != null) {
            out.writeBytes(PROTOCOL_HEADER).writeCharSequence(protocol, StandardCharsets.US_ASCII);
        }
        return out.writeBytes(CRLF_CRLF);
    }

    /** The subprotocol the response names, or null; used again by the caller to choose the wire protocol. */
    static String select(String requested, String[] supported) {
        if (requested == null || supported.length == 0) {
            return null;
        }
        for (String offered : requested.split(",")) {
            String name = offered.trim();
            for (String s : supported) {
                if (s.equals(name)) {
                    return s;
                }
            }
        }
        return null;
    }

    /** base64(SHA-1(key + GUID)), RFC 6455 section 4.2.2. */
    static byte[] acceptValue(String key) {
        MessageDigest sha1 = SHA1.get();
        sha1.update(key.getBytes(StandardCharsets.US_ASCII));
        sha1.update(ACCEPT_GUID);
        return Base64.getEncoder().encode(sha1.digest());
    }

    private static Refused refused(HttpResponseStatus status, String text) {
        return new Refused(Responses.text(status, text));
    }
}
