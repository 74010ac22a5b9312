package dev.herald.server;

import com.sun.net.httpserver.HttpServer;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connect proxy against a real HTTP backend started by the test. */
class ConnectProxyTest {
    private HttpServer backend;
    private HeraldServer server;
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicReference<Long> delayMillis = new AtomicReference<>(0L);
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/connect", exchange -> {
            requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            try {
                Thread.sleep(delayMillis.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        backend.start();
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.proxy.connect.enabled = true;
        config.client.proxy.connect.endpoint = "http://127.0.0.1:" + backend.getAddress().getPort() + "/connect";
        // Generous for a loaded CI machine (the first call also starts the HTTP client); the timeout test's
        // backend waits well past it.
        config.client.proxy.connect.timeout = Duration.ofMillis(3_000);
        config.uniHttpStream.enabled = true;
        server = HeraldServer.start(config);
    }

    @AfterEach
    void stop() {
        server.close();
        backend.stop(0);
    }

    @Test
    void proxyResultSetsUserInfoAndPrivateMeta() throws Exception {
        answer.set("{\"result\":{\"user\":\"56\",\"info\":{\"name\":\"Alex\"},\"meta\":{\"device\":\"ios\",\"secret\":"
                + "\"do-not-leak\"},\"data\":{\"hello\":1}}}");
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{\"name\":\"app\",\"version\":\"1.2\",\"data\":{\"x\":1}}}");
            String reply = ws.next();
            assertTrue(reply.contains("\"data\":{\"hello\":1}"), reply);
            assertFalse(reply.contains("do-not-leak"), reply);
            String request = requests.poll(5, TimeUnit.SECONDS);
            assertNotNull(request);
            assertTrue(request.contains("\"transport\":\"websocket\"") && request.contains("\"name\":\"app\"")
                    && request.contains("\"data\":{\"x\":1}"), request);
            var sessions = server.node().hub().userSessions("56");
            assertEquals(1, sessions.size());
            assertEquals("{\"device\":\"ios\",\"secret\":\"do-not-leak\"}",
                    new String(sessions.getFirst().meta(), StandardCharsets.UTF_8));
            assertEquals("{\"name\":\"Alex\"}", new String(((dev.herald.core.client.ClientSession) sessions.getFirst()).info(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void proxyDisconnectClosesWithItsCode() throws Exception {
        answer.set("{\"disconnect\":{\"code\":4501,\"reason\":\"unauthorized\"}}");
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            assertEquals(4501, ws.awaitClose());
        }
    }

    @Test
    void proxyErrorIsRepliedToTheClient() throws Exception {
        answer.set("{\"error\":{\"code\":1000,\"message\":\"custom\"}}");
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            assertEquals("{\"id\":1,\"error\":{\"code\":1000,\"message\":\"custom\"}}", ws.next());
        }
    }

    @Test
    void proxyTimeoutGivesInternalErrorNotAHang() throws Exception {
        answer.set("{\"result\":{\"user\":\"1\"}}");
        delayMillis.set(6_000L);
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            assertEquals("{\"id\":1,\"error\":{\"code\":100,\"message\":\"internal server error\","
                    + "\"temporary\":true}}", ws.next());
        }
    }
}
