package dev.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connect proxy against a real HTTP backend started by the test. */
class ConnectProxyTest {
    private HttpServer backend;
    private HeraldServer server;
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicReference<Long> delayMillis = new AtomicReference<>(0L);
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    /** The headers of each proxy request, in the order of {@link #requests}. */
    private final BlockingQueue<Headers> requestHeaders = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/connect", exchange -> {
            requestHeaders.add(exchange.getRequestHeaders());
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
        startServer(config -> { });
    }

    private void startServer(Consumer<HeraldConfig> adjust) throws InterruptedException {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.proxy.connect.enabled = true;
        config.client.proxy.connect.endpoint = "http://127.0.0.1:" + backend.getAddress().getPort() + "/connect";
        // Generous for a loaded CI machine (the first call also starts the HTTP client); the timeout test's
        // backend waits well past it.
        config.client.proxy.connect.timeout = Duration.ofMillis(3_000);
        config.uniHttpStream.enabled = true;
        config.client.proxy.connect.httpHeaders = List.of("Authorization", "X-Real-Ip");
        config.client.proxy.connect.staticHeaders = Map.of("X-Static", "static", "X-Real-Ip", "static-ip");
        adjust.accept(config);
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

    @Test
    void jsonClientDataTravelsAsJsonAndTheListedUpgradeHeadersAreForwarded() throws Exception {
        answer.set("{\"result\":{\"user\":\"7\"}}");
        Map<String, String> headers = Map.of("Authorization", "Bearer abc", "X-Real-Ip", "10.1.2.3",
                "X-Not-Listed", "secret");
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket", headers)) {
            ws.send("{\"id\":1,\"connect\":{\"data\":{\"x\":1}}}");
            assertTrue(ws.next().contains("\"client\""));
        }
        JsonNode body = JSON.readTree(requests.poll(5, TimeUnit.SECONDS));
        assertEquals("json", body.path("encoding").asText());
        assertEquals("{\"x\":1}", body.path("data").toString());
        assertNull(body.get("b64data"));
        Headers seen = requestHeaders.poll(5, TimeUnit.SECONDS);
        assertNotNull(seen);
        assertEquals(List.of("Bearer abc"), seen.get("Authorization"));
        assertEquals(List.of("10.1.2.3"), seen.get("X-Real-Ip"), "the client's header wins over a static one");
        assertEquals(List.of("static"), seen.get("X-Static"));
        assertNull(seen.get("X-Not-Listed"));
    }

    @Test
    void streamRequestHeadersAreForwardedToo() throws Exception {
        answer.set("{\"result\":{\"user\":\"8\"}}");
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/connection/uni_http_stream"))
                .header("Authorization", "Bearer stream")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        // The response is a stream that stays open until the server stops: only the proxy call is awaited.
        HttpClient.newHttpClient().sendAsync(post, HttpResponse.BodyHandlers.discarding());
        assertNotNull(requests.poll(5, TimeUnit.SECONDS));
        Headers seen = requestHeaders.poll(5, TimeUnit.SECONDS);
        assertNotNull(seen);
        assertEquals(List.of("Bearer stream"), seen.get("Authorization"));
        assertEquals(List.of("static-ip"), seen.get("X-Real-Ip"), "a static header fills in for an absent one");
    }

    @Test
    void protobufClientBinaryDataTravelsAsB64DataWithBinaryEncoding() throws Exception {
        answer.set("{\"result\":{\"user\":\"9\"}}");
        try (WsClient ws = WsClient.openProtobuf(server.port())) {
            // varint length 8, then Command{id=1 (08 01), connect (22 04) = ConnectRequest{data=FF 00 (12 02 FF 00)}}
            ws.sendBinary(new byte[] {0x08, 0x08, 0x01, 0x22, 0x04, 0x12, 0x02, (byte) 0xFF, 0x00});
            assertNotNull(ws.binaries.poll(5, TimeUnit.SECONDS));
        }
        JsonNode body = JSON.readTree(requests.poll(5, TimeUnit.SECONDS));
        assertEquals("protobuf", body.path("protocol").asText());
        assertEquals("binary", body.path("encoding").asText());
        assertEquals("/wA=", body.path("b64data").asText());
        assertNull(body.get("data"));
    }

    @Test
    void binaryEncodingSendsEvenJsonDataAsB64Data() throws Exception {
        server.close();
        startServer(config -> config.client.proxy.connect.binaryEncoding = true);
        answer.set("{\"result\":{\"user\":\"10\"}}");
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{\"data\":{\"x\":1}}}");
            assertTrue(ws.next().contains("\"client\""));
        }
        JsonNode body = JSON.readTree(requests.poll(5, TimeUnit.SECONDS));
        assertEquals("binary", body.path("encoding").asText());
        assertEquals("eyJ4IjoxfQ==", body.path("b64data").asText());
        assertNull(body.get("data"));
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
