package dev.herald.server;

import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code shutdown.timeout} bounds the graceful shutdown (Centrifugo: the most a shutdown may take). */
class ShutdownTimeoutTest {

    @Test
    void aStuckEventLoopCannotHoldTheShutdownPastTheTimeout() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.insecure = true;
        config.shutdown.timeout = Duration.ofMillis(400);
        HeraldServer server = HeraldServer.start(config);
        CountDownLatch release = new CountDownLatch(1);
        try (WsClient ws = WsClient.open(server.port(), "/connection/websocket")) {
            ws.send("{\"id\":1,\"connect\":{}}");
            assertTrue(ws.next().contains("\"client\""));
            dev.herald.core.hub.HubSession[] session = new dev.herald.core.hub.HubSession[1];
            server.node().hub().forEachSession(s -> session[0] = s);
            assertNotNull(session[0]);
            // The connection's event loop runs a task that does not end until the test says so.
            CountDownLatch stuck = new CountDownLatch(1);
            session[0].executor().execute(() -> {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(stuck.await(5, TimeUnit.SECONDS));

            long started = System.nanoTime();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
            closed.get(5, TimeUnit.SECONDS); // without the timeout, close() waits for the stuck task forever
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis >= 300, "close() gave the loops the timeout before giving up: " + tookMillis);
        } finally {
            release.countDown();
        }
    }
}
