package dev.herald.core.hub;

import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;
import dev.herald.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A loop that was busy gets the publications that piled up in one run, each connection's in publication order. */
class LoopBatcherTest {
    /** An event loop stand-in that only runs its tasks when told to. */
    private static final class HeldLoop implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        int runAll() {
            int ran = 0;
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
                ran++;
            }
            return ran;
        }
    }

    private static ClientSession connect(TestNode t, HeldLoop loop, String token, String... channels) {
        ClientSession session = t.node.newSession(new FakeTransport("websocket", Protocol.JSON, false, loop));
        TestNode.send(session, "{\"id\":1,\"connect\":{\"token\":\"" + token + "\"}}");
        loop.runAll();
        int id = 2;
        for (String channel : channels) {
            TestNode.send(session, "{\"id\":" + id++ + ",\"subscribe\":{\"channel\":\"" + channel + "\"}}");
            loop.runAll();
        }
        return session;
    }

    /** {@code count} connections of their own users, each subscribed to {@code channel}. */
    private static List<ClientSession> subscribers(TestNode t, HeldLoop loop, int count, String channel) {
        List<ClientSession> sessions = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            t.connectToken("t" + i, "u" + i, null, 0, null, List.of());
            sessions.add(connect(t, loop, "t" + i, channel));
        }
        return sessions;
    }

    private static void publish(TestNode t, String channel, String text) {
        t.node.publish(channel, ("\"" + text + "\"").getBytes(StandardCharsets.UTF_8), null, null, true, "")
                .toCompletableFuture().join();
    }

    /** The publication payloads a session received, in order. */
    private static List<String> received(ClientSession session) {
        return TestNode.transport(session).written().stream().filter(f -> f.contains("\"pub\""))
                .map(f -> f.replaceAll(".*\"data\":\"([^\"]*)\".*", "$1")).toList();
    }

    private static TestNode node() {
        HeraldConfig config = new HeraldConfig();
        config.channel.withoutNamespace.allowSubscribeForClient = true;
        return new TestNode(config);
    }

    private static List<String> only(List<String> received, String prefix) {
        return received.stream().filter(p -> p.startsWith(prefix)).toList();
    }

    @Test
    void aBacklogArrivesFromOneRunInOrderPerChannel() {
        try (TestNode t = node()) {
            t.connectToken("t1", "1", null, 0, null, List.of());
            t.connectToken("t2", "2", null, 0, null, List.of());
            HeldLoop loop = new HeldLoop();
            ClientSession both = connect(t, loop, "t1", "a", "b");
            ClientSession onlyA = connect(t, loop, "t2", "a");
            assertTrue(received(both).isEmpty());

            publish(t, "a", "a1");
            publish(t, "a", "a2");
            publish(t, "b", "b1");
            publish(t, "a", "a3");
            assertEquals(1, loop.runAll(), "four publications, one loop task");

            assertEquals(List.of("a1", "a2", "a3"), only(received(both), "a"));
            assertEquals(List.of("b1"), only(received(both), "b"));
            assertEquals(List.of("a1", "a2", "a3"), received(onlyA));
        }
    }

    @Test
    void publicationsJoiningARoundInProgressReachEverySubscriberOnceInOrder() {
        int subscribers = LoopBatcher.VISITS_PER_RUN * 2 + 100;
        try (TestNode t = node()) {
            HeldLoop loop = new HeldLoop();
            List<ClientSession> sessions = subscribers(t, loop, subscribers, "big");
            publish(t, "big", "p1");
            loop.tasks.poll().run(); // one run: p1 reaches only the first VISITS_PER_RUN subscribers
            assertEquals(List.of("p1"), received(sessions.getFirst()));
            assertEquals(List.of(), received(sessions.getLast()));

            publish(t, "big", "p2"); // joins at the cursor
            loop.tasks.poll().run();
            publish(t, "big", "p3");
            int runs = 2 + loop.runAll();
            assertTrue(runs >= 4, "a round of " + subscribers + " subscribers took " + runs + " runs");

            for (ClientSession session : sessions) {
                assertEquals(List.of("p1", "p2", "p3"), received(session), "every subscriber, once, in order");
            }
        }
    }

    @Test
    void aMembershipChangeFinishesTheOlderSnapshotFirst() {
        int subscribers = LoopBatcher.VISITS_PER_RUN * 2 + 10;
        try (TestNode t = node()) {
            HeldLoop loop = new HeldLoop();
            List<ClientSession> sessions = subscribers(t, loop, subscribers, "room");
            t.connectToken("late", "late", null, 0, null, List.of());
            ClientSession late = connect(t, loop, "late");
            publish(t, "room", "m1");
            loop.tasks.poll().run(); // m1 has reached the first VISITS_PER_RUN subscribers only
            // A new snapshot in which the last subscriber (m1 not yet delivered) moves into a leaver's early slot.
            TestNode.send(sessions.get(5), "{\"id\":9,\"unsubscribe\":{\"channel\":\"room\"}}");
            TestNode.send(late, "{\"id\":2,\"subscribe\":{\"channel\":\"room\"}}");
            publish(t, "room", "m2");
            loop.runAll();

            for (int i = 0; i < subscribers; i++) {
                assertEquals(i == 5 ? List.of("m1") : List.of("m1", "m2"), received(sessions.get(i)), "session " + i);
            }
            assertEquals(List.of("m2"), received(late));
        }
    }
}
