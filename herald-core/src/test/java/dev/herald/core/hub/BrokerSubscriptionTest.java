package dev.herald.core.hub;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.ForwardingBroker;
import dev.herald.core.testing.TestNode;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's broker subscription per channel under concurrency, against a broker that, like Redis or NATS, takes
 * its time to subscribe and unsubscribe and delivers publications only for channels it is subscribed to.
 */
class BrokerSubscriptionTest {
    private static final ChannelKey CHAT = ChannelKey.of("chat");

    private final ScheduledExecutorService brokerThreads = Executors.newScheduledThreadPool(4);
    private final List<ExecutorService> loops = new ArrayList<>();
    private final DelayedBroker broker = new DelayedBroker(brokerThreads);
    private TestNode testNode;

    /**
     * A memory broker behind delays: subscribe and unsubscribe complete 0-3 ms later on other threads (so two
     * operations on one channel issued back to back could land in either order), and publications reach the
     * node only while it is subscribed to the channel.
     */
    static final class DelayedBroker extends ForwardingBroker {
        final ScheduledExecutorService threads;
        final Set<ChannelKey> subscribed = ConcurrentHashMap.newKeySet();
        final AtomicInteger subscribes = new AtomicInteger();
        final AtomicInteger unsubscribes = new AtomicInteger();
        /** Operations that found the broker already in the state they asked for: a sign of unordered calls. */
        final AtomicInteger redundant = new AtomicInteger();
        volatile boolean failSubscribes;

        DelayedBroker(ScheduledExecutorService threads) {
            super(new MemoryBroker(new ExecutorScheduler(threads), System::currentTimeMillis));
            this.threads = threads;
        }

        @Override
        public void start(BrokerEventHandler handler) {
            inner.start(new BrokerEventHandler() {
                @Override
                public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
                    if (subscribed.contains(channel)) {
                        handler.handlePublication(channel, publication, position);
                    }
                }

                @Override
                public void handleJoin(ChannelKey channel, ClientInfo info) {
                    if (subscribed.contains(channel)) {
                        handler.handleJoin(channel, info);
                    }
                }

                @Override
                public void handleLeave(ChannelKey channel, ClientInfo info) {
                    if (subscribed.contains(channel)) {
                        handler.handleLeave(channel, info);
                    }
                }
            });
        }

        private CompletionStage<Void> later(Runnable action) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            threads.schedule(() -> {
                try {
                    action.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }, ThreadLocalRandom.current().nextInt(3_000), TimeUnit.MICROSECONDS);
            return done;
        }

        @Override
        public CompletionStage<Void> subscribe(ChannelKey channel) {
            return later(() -> {
                if (failSubscribes) {
                    throw new IllegalStateException("broker refuses subscriptions");
                }
                subscribes.incrementAndGet();
                if (!subscribed.add(channel)) {
                    redundant.incrementAndGet();
                }
            });
        }

        @Override
        public CompletionStage<Void> unsubscribe(ChannelKey channel) {
            return later(() -> {
                unsubscribes.incrementAndGet();
                if (!subscribed.remove(channel)) {
                    redundant.incrementAndGet();
                }
            });
        }
    }

    @AfterEach
    void tearDown() {
        if (testNode != null) {
            testNode.close();
        }
        loops.forEach(ExecutorService::shutdownNow);
        brokerThreads.shutdownNow();
    }

    private void startNode() {
        HeraldConfig config = new HeraldConfig();
        config.channel.withoutNamespace.allowSubscribeForClient = true;
        testNode = new TestNode(config, broker);
        for (int i = 0; i < 4; i++) {
            loops.add(Executors.newSingleThreadExecutor());
        }
    }

    /** A connected session of its own user on one of the four loops. */
    private ClientSession connect(int n) {
        testNode.connectToken("t" + n, "u" + n, null, 0, null, List.of());
        ClientSession session = testNode.node.newSession(
                new FakeTransport("websocket", Protocol.JSON, false, loops.get(n % loops.size())));
        session.executor().execute(() -> TestNode.send(session, "{\"id\":1,\"connect\":{\"token\":\"t" + n + "\"}}"));
        return session;
    }

    private static void onLoop(ClientSession session, String frame) {
        session.executor().execute(() -> TestNode.send(session, frame));
    }

    private static long count(ClientSession session, String fragment) {
        return TestNode.transport(session).written().stream().filter(f -> f.contains(fragment)).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void concurrentFirstSubscribersAndARacingLastUnsubscribeLeaveOneBrokerSubscription() throws Exception {
        startNode();
        ClientSession flapper = connect(1000);
        List<ClientSession> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sessions.add(connect(i));
        }
        await(() -> sessions.stream().allMatch(ClientSession::connected) && flapper.connected(), "connections");

        // The flapper is the channel's first and last subscriber over and over, while the hundred subscribe.
        int flaps = 30;
        for (int i = 0; i < flaps; i++) {
            onLoop(flapper, "{\"id\":" + (10 + 2 * i) + ",\"subscribe\":{\"channel\":\"chat\"}}");
            if (i % 3 == 0) {
                for (int j = i * 100 / flaps; j < (i + 3) * 100 / flaps && j < sessions.size(); j++) {
                    onLoop(sessions.get(j), "{\"id\":2,\"subscribe\":{\"channel\":\"chat\"}}");
                }
            }
            onLoop(flapper, "{\"id\":" + (11 + 2 * i) + ",\"unsubscribe\":{\"channel\":\"chat\"}}");
        }
        await(() -> sessions.stream().allMatch(s -> count(s, "{\"id\":2,\"subscribe\":{}}") == 1),
                "every subscribe reply");
        await(() -> count(flapper, ",\"unsubscribe\":{}}") == flaps, "the flapper's unsubscribes");
        assertEquals(100, testNode.node.hub().numSubscribers(CHAT));

        for (int i = 0; i < 10; i++) {
            testNode.node.publish("chat", ("\"m" + i + "\"").getBytes(StandardCharsets.UTF_8), null, null, true, null)
                    .toCompletableFuture().join();
        }
        await(() -> sessions.stream().allMatch(s -> count(s, "\"pub\"") == 10), "ten publications everywhere");
        assertEquals(0, count(flapper, "\"m9\""), "the flapper left before the publications");
        assertEquals(0, broker.redundant.get(), "broker operations of one channel never overlapped");
        assertTrue(broker.subscribed.contains(CHAT));
        assertEquals(1, broker.subscribes.get() - broker.unsubscribes.get(), "exactly one broker subscription");
    }

    @Test
    void aFailedBrokerSubscribeFailsEveryWaiterAndTheNextSubscribeStartsAfresh() throws Exception {
        startNode();
        List<ClientSession> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sessions.add(connect(i));
        }
        await(() -> sessions.stream().allMatch(ClientSession::connected), "connections");
        broker.failSubscribes = true;
        for (ClientSession s : sessions) {
            onLoop(s, "{\"id\":2,\"subscribe\":{\"channel\":\"chat\"}}");
        }
        await(() -> sessions.stream().allMatch(s -> count(s, "{\"id\":2,\"error\":{\"code\":100") == 1),
                "every waiter's error reply");
        for (ClientSession s : sessions) {
            assertTrue(s.subscriptions().isEmpty(), "the failed subscription is rolled back in the session");
        }
        assertEquals(0, testNode.node.hub().numSubscribers(CHAT));
        assertEquals(0, testNode.node.hub().numChannels());
        assertEquals(0, broker.subscribes.get());

        broker.failSubscribes = false;
        ClientSession again = sessions.getFirst();
        onLoop(again, "{\"id\":3,\"subscribe\":{\"channel\":\"chat\"}}");
        await(() -> count(again, "{\"id\":3,\"subscribe\":{}}") == 1, "the retried subscribe");
        assertTrue(broker.subscribed.contains(CHAT));
        testNode.node.publish("chat", "\"after\"".getBytes(StandardCharsets.UTF_8), null, null, true, null)
                .toCompletableFuture().join();
        await(() -> count(again, "\"after\"") == 1, "a publication after the retry");
    }
}
