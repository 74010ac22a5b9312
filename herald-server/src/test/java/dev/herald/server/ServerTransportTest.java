package dev.herald.server;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real server on port 0, driven over real sockets. */
class ServerTransportTest {
    private HeraldServer server;

    @BeforeEach
    void start() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.insecure = true;
        config.uniHttpStream.enabled = true;
        config.uniSse.enabled = true;
        config.httpStream.enabled = true;
        config.sse.enabled = true;
        config.uniWebsocket.enabled = true;
        config.websocket.messageSizeLimit = 1024;
        server = HeraldServer.start(config);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void awaitUsers(String user, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.node().hub().userSessions(user).size() != count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, server.node().hub().userSessions(user).size());
    }

    @Test
    void websocketJsonConnectSubscribeReceive() throws Exception {
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{\"name\":\"test\"}}");
            assertTrue(ws.next().startsWith("{\"id\":1,\"connect\":{\"client\":\""));
            ws.send("{\"id\":2,\"subscribe\":{\"channel\":\"news\"}}");
            assertEquals("{\"id\":2,\"subscribe\":{}}", ws.next());
            server.node().publish("news", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), null, null, false, null)
                    .toCompletableFuture().join();
            assertEquals("{\"push\":{\"channel\":\"news\",\"pub\":{\"data\":{\"a\":1}}}}", ws.next());
        }
    }

    @Test
    void websocketProtobufConnect() throws Exception {
        try (WsClient ws = WsClient.openProtobuf(server.port())) {
            // varint length 4, then Command{id=1 (08 01), connect={} (22 00)}
            ws.sendBinary(new byte[]{0x04, 0x08, 0x01, 0x22, 0x00});
            byte[] reply = ws.binaries.poll(5, TimeUnit.SECONDS);
            assertTrue(reply != null && reply.length > 40, "protobuf connect reply expected");
            assertEquals(0x08, reply[1]); // Reply.id field tag
        }
    }

    @Test
    void disconnectClosesWithCodeAndReason() throws Exception {
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            ws.next();
            server.node().disconnect("", null, null, null, new Disconnect(4501, "custom"));
            assertEquals(4501, ws.awaitClose());
            assertEquals("custom", ws.closeReason.get());
        }
    }

    @Test
    void malformedFrameClosesOnlyThatClientWith3501() throws Exception {
        try (WsClient good = WsClient.open(server.port(), "/connection/websocket");
             WsClient bad = WsClient.open(server.port(), "/connection/websocket")) {
            good.send("{\"id\":1,\"connect\":{}}");
            good.next();
            good.send("{\"id\":2,\"subscribe\":{\"channel\":\"c\"}}");
            good.next();
            bad.send("{\"id\":1,\"connect\":{}}");
            bad.next();
            bad.send("{not json");
            assertEquals(3501, bad.awaitClose());
            server.node().publish("c", "1".getBytes(StandardCharsets.UTF_8), null, null, false, null);
            assertEquals("{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":1}}}", good.next());
        }
    }

    @Test
    void oversizedFrameClosesWith1009() throws Exception {
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            ws.next();
            ws.send("{\"id\":2,\"publish\":{\"channel\":\"c\",\"data\":\"" + "x".repeat(2000) + "\"}}");
            assertEquals(1009, ws.awaitClose());
        }
    }

    @Test
    void uniHttpStreamStreamsConnectPushThenPublications() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/connection/uni_http_stream"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"terminal\"}")).build();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            String connect = reader.readLine();
            assertTrue(connect.startsWith("{\"connect\":{\"client\":\""), connect);
            awaitUsers("", 1);
            var session = server.node().hub().userSessions("").getFirst();
            assertEquals("terminal", session.appName());
            assertEquals("uni_http_stream", session.transportName());
            server.node().disconnect("", null, null, null, Disconnect.FORCE_DISCONNECT);
            assertEquals("{\"disconnect\":{\"code\":3503,\"reason\":\"force disconnect\"}}", reader.readLine());
        }
    }

    @Test
    void uniHttpStreamRejectsMalformedBody() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/connection/uni_http_stream"))
                .POST(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/connection/uni_http_stream")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
    }

    private HttpResponse<java.util.stream.Stream<String>> openStream(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
    }

    private int emulate(String node, String session, String commands) throws Exception {
        String body = "{\"node\":\"" + node + "\",\"session\":\"" + session + "\",\"data\":"
                + com.fasterxml.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(commands) + "}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/emulation"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void httpStreamWithEmulationIsBidirectional() throws Exception {
        var response = openStream("/connection/http_stream", "{\"id\":1,\"connect\":{\"name\":\"js\"}}");
        assertEquals(200, response.statusCode());
        var lines = response.body().iterator();
        String connect = lines.next();
        assertTrue(connect.startsWith("{\"id\":1,\"connect\":{"), connect);
        String session = connect.replaceAll(".*\"session\":\"([^\"]+)\".*", "$1");
        String node = connect.replaceAll(".*\"node\":\"([^\"]+)\".*", "$1");
        assertEquals(server.node().id(), node);
        assertEquals(204, emulate(node, session, "{\"id\":2,\"subscribe\":{\"channel\":\"e\"}}"));
        assertEquals("{\"id\":2,\"subscribe\":{}}", lines.next());
        server.node().publish("e", "{\"x\":1}".getBytes(StandardCharsets.UTF_8), null, null, false, null);
        assertEquals("{\"push\":{\"channel\":\"e\",\"pub\":{\"data\":{\"x\":1}}}}", lines.next());
        assertEquals(404, emulate(node, "no-such-session", "{}"));
        server.node().disconnect("", null, session, null, new Disconnect(4000, "go"));
        assertEquals("{\"push\":{\"disconnect\":{\"code\":4000,\"reason\":\"go\",\"reconnect\":true}}}",
                lines.next());
    }

    @Test
    void uniSseGetWithCfConnect() throws Exception {
        String connect = java.net.URLEncoder.encode("{\"name\":\"sse-app\"}", StandardCharsets.UTF_8);
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/connection/uni_sse?cf_connect=" + connect)).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        var lines = response.body().iterator();
        String first = lines.next();
        assertTrue(first.startsWith("data: {\"connect\":{\"client\":\""), first);
        awaitUsers("", 1);
        assertEquals("sse-app", server.node().hub().userSessions("").getFirst().appName());
    }

    @Test
    void uniWebsocketTakesConnectAsFirstMessageAndGetsBarePushes() throws Exception {
        try (WsClient ws = WsClient.open(server.port(), "/connection/uni_websocket")) {
            ws.send("{\"name\":\"uni\",\"subs\":{}}");
            String connect = ws.next();
            assertTrue(connect.startsWith("{\"connect\":{\"client\":\""), connect);
            awaitUsers("", 1);
            server.node().subscribe("", "u", null, null, null);
            assertEquals("{\"channel\":\"u\",\"subscribe\":{}}", ws.next());
            server.node().publish("u", "{\"k\":2}".getBytes(StandardCharsets.UTF_8), null, null, false, null);
            assertEquals("{\"channel\":\"u\",\"pub\":{\"data\":{\"k\":2}}}", ws.next());
        }
    }

    @Test
    void shutdownDisconnectsClientsWith3001AndStopsAccepting() throws Exception {
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            ws.next();
            int port = server.port();
            server.close();
            assertEquals(3001, ws.awaitClose());
            assertEquals("shutdown", ws.closeReason.get());
            assertThrows(java.io.IOException.class, () -> new java.net.Socket("127.0.0.1", port).close());
        }
    }
}
