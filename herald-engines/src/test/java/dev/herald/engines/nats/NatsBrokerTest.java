package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.PublishOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.engines.testing.NatsServer;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.herald.engines.nats.BrokerEvents.texts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two brokers on two connections to one real nats-server, as two nodes. Node b has a single delivery lane, so
 * everything it receives is in its connection's order across channels too: a later publication on another channel
 * proves that an earlier one was not delivered.
 */
class NatsBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long BUFFER = 16 * 1024;

    private static NatsServer server;
    private static NatsConnection connA;
    private static NatsConnection connB;
    private static NatsBroker a;
    private static NatsBroker b;
    private static final BrokerEvents eventsA = new BrokerEvents();
    private static final BrokerEvents eventsB = new BrokerEvents();

    @BeforeAll
    static void start() throws Exception {
        server = new NatsServer();
        server.start();
        NatsConnection.Settings settings = new NatsConnection.Settings(List.of(server.url()), "centrifugo",
                Duration.ofSeconds(1), Duration.ofMillis(100), BUFFER, Duration.ofSeconds(2), Duration.ofSeconds(1));
        connA = NatsConnection.connect(settings);
        connB = NatsConnection.connect(settings);
        a = new NatsBroker(connA, 4, 4096);
        b = new NatsBroker(connB, 1, 4096);
        a.start(eventsA);
        b.start(eventsB);
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        connA.close();
        connB.close();
        server.close();
    }

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Publication publication(String text) {
        return new Publication(text.getBytes(StandardCharsets.UTF_8), null, 0, null, false, 0, null);
    }

    private static CompletionStage<PublishOutcome> publish(NatsBroker broker, ChannelKey channel, String text) {
        return broker.publish(channel, publication(text), PublishOptions.NO_HISTORY);
    }

    /** The protocol error code a failed stage carries. */
    private static int code(CompletionStage<?> stage) {
        CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
        return assertInstanceOf(ErrorException.class, e.getCause()).error().code();
    }

    @Test
    void thousandPublicationsReachTheOtherNodeAndThisOneInOrder() throws Exception {
        ChannelKey chat = ChannelKey.of("chat:order");
        join(a.subscribe(chat));
        join(b.subscribe(chat));
        List<String> sent = IntStream.range(0, 1000).mapToObj(Integer::toString).toList();
        ClientInfo info = new ClientInfo("u1", "c1", "{}".getBytes(StandardCharsets.UTF_8), null);

        for (String text : sent) {
            PublishOutcome outcome = join(a.publish(chat,
                    new Publication(text.getBytes(StandardCharsets.UTF_8), info, 0, null, false, 0, null),
                    PublishOptions.NO_HISTORY));
            assertNull(outcome.position(), "no history, no position");
        }

        List<BrokerEvents.Event> onB = eventsB.await(chat, "pub", 1000, WAIT);
        assertEquals(sent, texts(onB));
        assertEquals("u1", onB.getFirst().info().user());
        assertArrayEquals(info.connInfo(), onB.getFirst().info().connInfo());
        assertNull(onB.getFirst().position());
        assertEquals(sent, texts(eventsA.await(chat, "pub", 1000, WAIT)), "the publishing node gets them too");
    }

    @Test
    void joinAndLeaveReachTheOtherNode() throws Exception {
        ChannelKey room = ChannelKey.of("room:1");
        join(b.subscribe(room));
        ClientInfo info = new ClientInfo("alice", "client-1", null, "{\"x\":1}".getBytes(StandardCharsets.UTF_8));

        join(a.publishJoin(room, info));
        join(a.publishLeave(room, info));

        BrokerEvents.Event joined = eventsB.await(room, "join", 1, WAIT).getFirst();
        assertEquals("alice", joined.info().user());
        assertEquals("client-1", joined.info().client());
        assertArrayEquals(info.chanInfo(), joined.info().chanInfo());
        assertEquals("alice", eventsB.await(room, "leave", 1, WAIT).getFirst().info().user());
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        ChannelKey news = ChannelKey.of("news:unsub");
        ChannelKey marker = ChannelKey.of("news:marker");
        join(b.subscribe(news));
        join(b.subscribe(marker));
        join(publish(a, news, "before"));
        eventsB.await(news, "pub", 1, WAIT);

        join(b.unsubscribe(news));
        assertFalse(b.channels().contains(news));
        join(publish(a, news, "after"));
        join(publish(a, marker, "end"));

        // b's one lane delivers in connection order: had "after" reached b, it would be recorded before "end".
        eventsB.await(marker, "pub", 1, WAIT);
        assertEquals(List.of("before"), texts(eventsB.of(news, "pub")));
    }

    @Test
    void historyIsNotAvailable() {
        ChannelKey channel = ChannelKey.of("with-history");
        PublishOptions history = new PublishOptions(10, Duration.ofMinutes(1), Duration.ofHours(1), null);

        assertEquals(108, code(a.publish(channel, publication("x"), history)));
        assertEquals(108, code(a.history(channel, new HistoryQuery(null, 10, false, null))));
        assertEquals(108, code(a.removeHistory(channel)));
    }

    @Test
    void appsDoNotShareChannels() throws Exception {
        ChannelKey mine = new ChannelKey("app1", "chat");
        join(b.subscribe(mine));

        join(publish(a, ChannelKey.of("chat"), "default app"));
        join(publish(a, new ChannelKey("app2", "chat"), "other app"));
        join(publish(a, mine, "mine"));

        assertEquals(List.of("mine"), texts(eventsB.await(mine, "pub", 1, WAIT)));
        assertEquals(List.of(), eventsB.of(ChannelKey.of("chat"), "pub"));
        assertEquals("centrifugo.client.chat", a.subject(ChannelKey.of("chat")));
        assertEquals("centrifugo.app.app1.client.chat", a.subject(mine));
        // the default app's channel named like another app's subject tail still gets its own subject
        assertNotEquals(a.subject(mine), a.subject(ChannelKey.of("app.app1.client.chat")));
    }

    @Test
    void wildcardCharactersAndInvalidSubjectsAreRefused() throws Exception {
        for (String name : List.of("news.*", "news.>", "*", ">", "a*b", "a b", "tab\there", "line\nbreak", "",
                ".lead", "trail.", "a..b")) {
            ChannelKey channel = ChannelKey.of(name);
            assertEquals(107, code(b.subscribe(channel)), name);
            assertEquals(107, code(publish(a, channel, "x")), name);
            assertEquals(107, code(a.publishJoin(channel, new ClientInfo("u", "c", null, null))), name);
        }
        assertEquals(107, code(b.subscribe(new ChannelKey("bad.app", "chat"))));
        assertTrue(b.channels().stream().noneMatch(c -> c.name().contains("*") || c.name().contains(">")));

        // dots inside a name are fine, and a channel only gets its own publications
        ChannelKey dotted = ChannelKey.of("news.sport");
        join(b.subscribe(dotted));
        join(publish(a, ChannelKey.of("news.weather"), "weather"));
        join(publish(a, dotted, "sport"));
        assertEquals(List.of("sport"), texts(eventsB.await(dotted, "pub", 1, WAIT)));
    }

    @Test
    void anIdempotencyKeyPublishesOncePerNode() throws Exception {
        ChannelKey channel = ChannelKey.of("idempotent");
        join(b.subscribe(channel));
        PublishOptions keyed = new PublishOptions(0, Duration.ZERO, Duration.ZERO, "key-1");

        join(a.publish(channel, publication("once"), keyed));
        join(a.publish(channel, publication("once again"), keyed));
        join(publish(a, channel, "after"));

        assertEquals(List.of("once", "after"), texts(eventsB.await(channel, "pub", 2, WAIT)));
    }

    @Test
    void whileNatsIsDownPublishesAreBoundedAndAfterItDeliveryResumesAndTheNodeIsTold() throws Exception {
        ChannelKey live = ChannelKey.of("outage");
        join(a.subscribe(live));
        join(b.subscribe(live));
        server.stop();
        awaitHealth(false);

        // Bounded: publishes fill the 16 KiB reconnect buffer, then fail at once (the node answers 100).
        byte[] kilobyte = new byte[1024];
        int accepted = 0;
        Throwable refused = null;
        for (int i = 0; i < 64 && refused == null; i++) {
            var stage = a.publish(live, new Publication(kilobyte, null, 0, null, false, 0, null),
                    PublishOptions.NO_HISTORY).toCompletableFuture();
            if (stage.isCompletedExceptionally()) {
                refused = assertThrows(CompletionException.class, stage::join).getCause();
            } else {
                accepted++;
            }
        }
        assertInstanceOf(IllegalStateException.class, refused, "refused once the buffer is full");
        assertTrue(accepted > 0 && accepted * 1024L <= BUFFER, "accepted " + accepted);
        assertThrows(CompletionException.class, () -> b.subscribe(ChannelKey.of("outage:new"))
                .toCompletableFuture().join(), "no new subscription while down");

        server.start();
        awaitHealth(true);
        eventsA.await(live, "interrupted", 1, WAIT);
        eventsB.await(live, "interrupted", 1, WAIT);
        awaitRoundTrip(connA);
        awaitRoundTrip(connB);

        join(publish(a, live, "back"));
        eventsB.awaitMatching(live, "pub", list -> texts(list).contains("back"), WAIT);
        // whatever of the buffered kilobytes made it was published before "back"
        List<String> onB = texts(eventsB.of(live, "pub"));
        assertEquals("back", onB.getLast());
        assertTrue(onB.size() - 1 <= accepted, "only buffered publications besides: " + onB.size());
    }

    /**
     * Awaits (bounded) a round trip that succeeds: right after a reconnect jnats's writer may be stuck and the
     * connection repairs itself with a forced reconnect (see NatsConnection#repair).
     */
    private static void awaitRoundTrip(NatsConnection connection) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                connection.roundTrip().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no round trip got through", e);
                }
            }
        }
    }

    /** Awaits (bounded) both connections' health; jnats changes it on its own threads. */
    private static void awaitHealth(boolean healthy) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (connA.healthy() != healthy || connB.healthy() != healthy) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("health never became " + healthy);
            }
            Thread.sleep(10);
        }
    }
}
