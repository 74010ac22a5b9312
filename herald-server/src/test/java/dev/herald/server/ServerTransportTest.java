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
            assertEquals("uni_http_stream", session.transport().name());
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
}
