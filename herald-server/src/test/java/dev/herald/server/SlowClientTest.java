package dev.herald.server;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber that stops reading is cut off (3008) once its queue passes the limit; others keep receiving. */
class SlowClientTest {
    private HeraldServer server;

    @BeforeEach
    void start() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.insecure = true;
        config.client.queueMaxSize = 256 * 1024;
        server = HeraldServer.start(config);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Opens a WebSocket by hand, connects and subscribes, and then never reads again. */
    private Socket stalledSubscriber(String channel) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setReceiveBufferSize(4096);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /connection/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            headers.append((char) in.read());
        }
        assertTrue(headers.toString().startsWith("HTTP/1.1 101"), headers.toString());
        out.write(maskedText("{\"id\":1,\"connect\":{}}\n{\"id\":2,\"subscribe\":{\"channel\":\"" + channel + "\"}}"));
        out.flush();
        return socket;
    }

    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        byte[] mask = {1, 2, 3, 4};
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    @Test
    void stalledSubscriberIsDisconnectedAndOthersKeepReceiving() throws Exception {
        try (Socket stalled = stalledSubscriber("big");
             WsClient good = WsClient.open(server.port(), "/connection/websocket")) {
            good.send("{\"id\":1,\"connect\":{}}");
            good.next();
            good.send("{\"id\":2,\"subscribe\":{\"channel\":\"big\"}}");
            good.next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.node().hub().numSubscribers(ChannelKey.of("big")) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2, server.node().hub().numSubscribers(ChannelKey.of("big")));
            byte[] data = ("\"" + "x".repeat(16 * 1024) + "\"").getBytes(StandardCharsets.UTF_8);
            int published = 0;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.node().hub().numSubscribers(ChannelKey.of("big")) == 2 && published < 5_000
                    && System.nanoTime() < deadline) {
                server.node().publish("big", data, null, null, false, null).toCompletableFuture().join();
                published++;
                assertTrue(good.next().startsWith("{\"push\":{\"channel\":\"big\""));
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.node().hub().numSubscribers(ChannelKey.of("big")) != 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, server.node().hub().numSubscribers(ChannelKey.of("big")), "the stalled subscriber was dropped");
            String metrics = new String(java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("herald_client_disconnects_total{code=\"3008\"} 1.0"), metrics);
            server.node().publish("big", "1".getBytes(StandardCharsets.UTF_8), null, null, false, null);
            assertEquals("{\"push\":{\"channel\":\"big\",\"pub\":{\"data\":1}}}", good.next());
        }
    }
}
