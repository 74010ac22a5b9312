package dev.herald.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WebSocketHandshakeTest {
    private static final String[] SUPPORTED = {"centrifuge-json", "centrifuge-protobuf"};

    private static FullHttpRequest upgrade(HttpMethod method) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/connection/websocket");
        request.headers().set("Host", "server.example.com").set("Upgrade", "websocket")
                .set("Connection", "keep-alive, Upgrade").set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .set("Sec-WebSocket-Version", "13");
        return request;
    }

    private static String accept(FullHttpRequest request) throws WebSocketHandshake.Refused {
        ByteBuf out = WebSocketHandshake.accept(request, SUPPORTED, UnpooledByteBufAllocator.DEFAULT);
        try {
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    @Test
    void answersWithTheRfc6455AcceptValue() throws Exception {
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", accept(upgrade(HttpMethod.GET)));
    }

    @Test
    void selectsTheFirstOfferedSubprotocolItSupports() throws Exception {
        FullHttpRequest request = upgrade(HttpMethod.GET);
        request.headers().set("Sec-WebSocket-Protocol", "mqtt, centrifuge-protobuf, centrifuge-json");
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                + "Sec-WebSocket-Protocol: centrifuge-protobuf\r\n\r\n", accept(request));
        assertNull(WebSocketHandshake.select("mqtt", SUPPORTED));
        assertNull(WebSocketHandshake.select("centrifuge-json", new String[0]));
    }

    @Test
    void refusesWhatIsNotAVersion13Upgrade() {
        assertEquals(403, status(upgrade(HttpMethod.POST)));
        FullHttpRequest noUpgrade = upgrade(HttpMethod.GET);
        noUpgrade.headers().remove("Upgrade");
        assertEquals(400, status(noUpgrade));
        FullHttpRequest noConnection = upgrade(HttpMethod.GET);
        noConnection.headers().set("Connection", "keep-alive");
        assertEquals(400, status(noConnection));
        FullHttpRequest noKey = upgrade(HttpMethod.GET);
        noKey.headers().remove("Sec-WebSocket-Key");
        assertEquals(400, status(noKey));
        FullHttpRequest version8 = upgrade(HttpMethod.GET);
        version8.headers().set("Sec-WebSocket-Version", "8");
        WebSocketHandshake.Refused refused = assertThrows(WebSocketHandshake.Refused.class,
                () -> WebSocketHandshake.accept(version8, SUPPORTED, UnpooledByteBufAllocator.DEFAULT));
        assertEquals(426, refused.response.status().code());
        assertEquals("13", refused.response.headers().get("Sec-WebSocket-Version"));
    }

    private static int status(FullHttpRequest request) {
        return assertThrows(WebSocketHandshake.Refused.class,
                () -> WebSocketHandshake.accept(request, SUPPORTED, UnpooledByteBufAllocator.DEFAULT))
                .response.status().code();
    }
}
