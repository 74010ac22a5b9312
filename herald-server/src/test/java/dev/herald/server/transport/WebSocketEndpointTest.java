package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import dev.herald.protocol.Protocol;
import dev.herald.server.HeraldServer;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second WebSocket protocol, registered through the same public API as Centrifugo's endpoints, gets the same
 * handshake, frame reading (fragments, size limit, ping/pong, close) and direct socket write path. Every
 * behaviour test runs against both endpoints.
 */
class WebSocketEndpointTest {
    /** Upgrade request headers that every well-formed test handshake carries. */
    private static final String VERSION_13 = "Sec-WebSocket-Version: 13\r\n";
    /** base64(SHA-1(key + GUID)) for {@link RawWebSocket#KEY}, the sample of RFC 6455 section 1.3. */
    private static final String SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /** The endpoints under test, each with a request its protocol answers and the start of that answer. */
    enum Target {
        CENTRIFUGO("/connection/websocket", "{\"id\":1,\"connect\":{}}", "{\"id\":1,\"connect\":{\"client\":"),
        ECHO("/test-echo/app-key", "{\"event\":\"hello\"}", "{\"event\":\"hello\"}");

        final String path;
        final String request;
        final String answerStart;

        Target(String path, String request, String answerStart) {
            this.path = path;
            this.request = request;
            this.answerStart = answerStart;
        }
    }

    /**
     * The second protocol: greets on open, echoes text, refuses binary with its own close code, and records what
     * its factory was given. Registered as a prefix, like a Pusher {@code /app/{key}} endpoint would be.
     */
    static final class Echo implements WebSocketEndpoint<Echo.Session> {
        record Session(WebSocketTransport transport, String path, String subprotocol, String header, String param,
                       CompletableFuture<Disconnect> closed) {
        }

        final BlockingQueue<Session> opened = new LinkedBlockingQueue<>();

        @Override
        public Session open(WebSocketUpgrade upgrade) {
            Session session = new Session(upgrade.transport(Protocol.JSON, false), upgrade.path(),
                    upgrade.subprotocol(), upgrade.headers().get("X-Test"), upgrade.queryParameter("token"),
                    new CompletableFuture<>());
            session.transport().write("{\"greeting\":true}".getBytes(StandardCharsets.UTF_8));
            opened.add(session);
            return session;
        }

        @Override
        public void onText(Session session, byte[] payload) {
            session.transport().write(payload);
        }

        @Override
        public void onBinary(Session session, byte[] payload) {
            session.transport().close(new Disconnect(4003, "text only"));
        }

        @Override
        public void onClosed(Session session, Disconnect reason) {
            session.closed().complete(reason);
        }
    }

    private final Echo echo = new Echo();
    private HeraldServer server;

    @BeforeEach
    void start() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.insecure = true;
        config.websocket.messageSizeLimit = 1024;
        server = HeraldServer.start(config,
                webSockets -> webSockets.register("/test-echo/", List.of("echo.v1"), echo));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Opens a connection to {@code target}; for the echo endpoint, reads its greeting first. */
    private RawWebSocket open(Target target) throws Exception {
        RawWebSocket ws = RawWebSocket.open(server.port(), target.path, VERSION_13);
        assertTrue(ws.response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), ws.response);
        if (target == Target.ECHO) {
            assertEquals("{\"greeting\":true}", ws.read().text());
        }
        return ws;
    }

    /** The transport of the connection that answered {@code target.request}. */
    private WebSocketTransport transportOf(Target target) throws Exception {
        if (target == Target.ECHO) {
            Echo.Session session = echo.opened.poll(5, TimeUnit.SECONDS);
            assertNotNull(session, "the echo endpoint opened a session");
            return session.transport();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.node().hub().userSessions("").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return (WebSocketTransport) ((dev.herald.core.client.ClientSession) server.node().hub().userSessions("").getFirst()).transport();
    }

    @Test
    void theFactoryGetsTheHandshakeFactsAndTheSubprotocolItRegistered() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/test-echo/app-key?token=abc",
                VERSION_13 + "Sec-WebSocket-Protocol: centrifuge-json, echo.v1\r\nX-Test: yes\r\n")) {
            assertTrue(ws.response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), ws.response);
            assertTrue(ws.response.contains("Sec-WebSocket-Accept: " + SAMPLE_ACCEPT + "\r\n"), ws.response);
            assertTrue(ws.response.contains("Sec-WebSocket-Protocol: echo.v1\r\n"), ws.response);
            assertEquals("{\"greeting\":true}", ws.read().text(), "what open writes follows the 101");
            Echo.Session session = echo.opened.poll(5, TimeUnit.SECONDS);
            assertNotNull(session);
            assertEquals(new Echo.Session(session.transport(), "/test-echo/app-key", "echo.v1", "yes", "abc",
                    session.closed()), session);
            assertEquals("websocket", session.transport().name());
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void sameHandshakeAnswer(Target target) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), target.path, VERSION_13)) {
            assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + SAMPLE_ACCEPT + "\r\n\r\n", ws.response);
        }
        try (RawWebSocket ws = RawWebSocket.open(server.port(), target.path, "Sec-WebSocket-Version: 8\r\n")) {
            assertTrue(ws.response.startsWith("HTTP/1.1 426 "), ws.response);
            assertTrue(ws.response.toLowerCase().contains("sec-websocket-version: 13\r\n"), ws.response);
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void fragmentsAreReassembledAndAPingBetweenThemIsAnswered(Target target) throws Exception {
        try (RawWebSocket ws = open(target)) {
            byte[] request = target.request.getBytes(StandardCharsets.UTF_8);
            int third = request.length / 3;
            ws.send(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(request, 0, third));
            ws.send(false, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(request, third, 2 * third));
            ws.send(true, RawWebSocket.PING, "are you there".getBytes(StandardCharsets.UTF_8));
            ws.send(true, RawWebSocket.CONTINUATION,
                    java.util.Arrays.copyOfRange(request, 2 * third, request.length));
            RawWebSocket.Frame pong = ws.read();
            assertEquals(RawWebSocket.PONG, pong.opcode());
            assertEquals("are you there", pong.text());
            RawWebSocket.Frame answer = ws.read();
            assertEquals(RawWebSocket.TEXT, answer.opcode());
            assertTrue(answer.text().startsWith(target.answerStart), answer.text());
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void aMessageOverTheSizeLimitClosesWith1009(Target target) throws Exception {
        try (RawWebSocket ws = open(target)) {
            // Both fragments in one write: the server reads all of them before it closes (no reset for unread bytes).
            ws.write(RawWebSocket.frame(false, RawWebSocket.TEXT, new byte[600]),
                    RawWebSocket.frame(true, RawWebSocket.CONTINUATION, new byte[600]));
            RawWebSocket.Frame close = ws.read();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1009, close.closeCode());
            assertTrue(ws.closedByServer());
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void thePeersCloseIsEchoedAndEndsTheSession(Target target) throws Exception {
        try (RawWebSocket ws = open(target)) {
            ws.sendText(target.request);
            assertTrue(ws.read().text().startsWith(target.answerStart));
            WebSocketTransport transport = transportOf(target);
            ws.send(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'});
            RawWebSocket.Frame close = ws.read();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, close.payload(), "1000 echoed");
            assertTrue(ws.closedByServer());
            assertTrue(transport.channel.closeFuture().await(5, TimeUnit.SECONDS));
        }
        if (target == Target.CENTRIFUGO) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!server.node().hub().userSessions("").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(server.node().hub().userSessions("").isEmpty(), "the session left the hub");
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void bothGetTheDirectSocketWritePathAloneInThePipeline(Target target) throws Exception {
        try (RawWebSocket ws = open(target)) {
            ws.sendText(target.request);
            assertTrue(ws.read().text().startsWith(target.answerStart));
            WebSocketTransport transport = transportOf(target);
            Channel channel = transport.channel;
            CompletableFuture<List<String>> handlers = new CompletableFuture<>();
            channel.eventLoop().execute(() -> handlers.complete(List.copyOf(channel.pipeline().names())));
            assertEquals(List.of(HandlerNames.WS_CONNECTION), handlers.get(5, TimeUnit.SECONDS).stream()
                    .filter(name -> !name.contains("TailContext")).toList());
            assertEquals(Epoll.isAvailable(), transport.writesToSocket(),
                    "a flush alone in the channel goes to the socket directly on epoll");
        }
    }

    @Test
    void theEndpointClosesWithItsOwnCodeAndHearsAboutTheEnd() throws Exception {
        try (RawWebSocket ws = open(Target.ECHO)) {
            Echo.Session session = echo.opened.poll(5, TimeUnit.SECONDS);
            assertNotNull(session);
            ws.send(true, RawWebSocket.BINARY, new byte[] {1, 2, 3});
            RawWebSocket.Frame close = ws.read();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(4003, close.closeCode());
            assertEquals("text only", new String(close.payload(), 2, close.payload().length - 2,
                    StandardCharsets.UTF_8));
            assertTrue(ws.closedByServer());
            assertEquals(Disconnect.CONNECTION_CLOSED, session.closed().get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void anUnregisteredPathIsNoWebSocket() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/other-echo/app-key", VERSION_13)) {
            assertTrue(ws.response.startsWith("HTTP/1.1 404 "), ws.response);
        }
    }
}
