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

    private static void publish(TestNode t, String channel, String text) {
        t.node.publish(channel, ("\"" + text + "\"").getBytes(StandardCharsets.UTF_8), null, null, true, "")
                .toCompletableFuture().join();
    }

    /** The publication payloads a session received, in order. */
    private static List<String> received(ClientSession session) {
        return TestNode.transport(session).written().stream().filter(f -> f.contains("\"pub\""))
                .map(f -> f.replaceAll(".*\"data\":\"([^\"]*)\".*", "$1")).toList();
    }

    @Test
    void aBacklogAcrossChannelsArrivesInOrderFromOneRun() {
        HeraldConfig config = new HeraldConfig();
        config.channel.withoutNamespace.allowSubscribeForClient = true;
        try (TestNode t = new TestNode(config)) {
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

            assertEquals(List.of("a1", "a2", "b1", "a3"), received(both));
            assertEquals(List.of("a1", "a2", "a3"), received(onlyA));
        }
    }
}
