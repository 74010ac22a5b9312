package dev.herald.engines.nats;

import dev.herald.core.cluster.Cluster;
import dev.herald.core.cluster.ClusterTiming;
import dev.herald.core.cluster.ControlHandler;
import dev.herald.core.cluster.SurveyResult;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.engines.testing.NatsServer;
import dev.herald.protocol.control.ControlMessage;
import dev.herald.protocol.control.ControlMessage.NodeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@link Cluster}s over three {@link NatsController}s (each on its own connection) to one real nats-server,
 * on real time with short heartbeats: the registry, surveys, messages to one node and a node that leaves.
 */
class NatsControllerTest {
    private static final ClusterTiming TIMING =
            new ClusterTiming(Duration.ofMillis(200), Duration.ofMillis(700), Duration.ofSeconds(3));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static NatsServer server;
    private static ScheduledExecutorService timer;

    private final Map<String, Member> members = new LinkedHashMap<>();

    /** One node: its connection, cluster and the control traffic it was given. */
    private record Member(NatsConnection connection, Cluster cluster, Recorder handler) {
    }

    @BeforeAll
    static void startServer() {
        server = new NatsServer();
        server.start();
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).unstarted(r));
    }

    @AfterAll
    static void stopServer() {
        timer.shutdownNow();
        server.close();
    }

    @BeforeEach
    void threeNodes() throws Exception {
        for (String id : List.of("node-a", "node-b", "node-c")) {
            NatsConnection connection = NatsConnection.connect(NatsConnection.Settings.of(server.url())
                    .withPrefix("ctl"));
            Cluster cluster = new Cluster(new NatsController(connection), id, new ExecutorScheduler(timer),
                    System::currentTimeMillis, TIMING);
            Recorder handler = new Recorder(id);
            cluster.start(handler, () -> new NodeInfo(id, "host-" + id, "test", 3, 2, 1, 1, 0));
            members.put(id, new Member(connection, cluster, handler));
        }
        awaitNodes("node-a", List.of("node-a", "node-b", "node-c"));
    }

    @AfterEach
    void closeAll() {
        members.values().forEach(m -> {
            m.cluster().close();
            m.connection().close();
        });
    }

    private Member member(String id) {
        return members.get(id);
    }

    private static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void heartbeatsListEveryNodeWithItsInfo() throws Exception {
        for (String id : members.keySet()) {
            awaitNodes(id, List.of("node-a", "node-b", "node-c"));
        }
        NodeInfo b = member("node-a").cluster().nodes().stream().filter(n -> n.id().equals("node-b"))
                .findFirst().orElseThrow();
        assertEquals(new NodeInfo("node-b", "host-node-b", "test", 3, 2, 1, 1, 0), b);
    }

    @Test
    void aSurveyIsAnsweredByEveryNode() throws Exception {
        byte[] payload = "news:*".getBytes(StandardCharsets.UTF_8);

        SurveyResult<byte[]> result = join(member("node-b").cluster().survey("channels", payload));

        assertTrue(result.complete(), () -> "missing " + result.missing() + " errors " + result.errors());
        assertEquals(List.of("node-a", "node-b", "node-c"), List.copyOf(result.answers().keySet()));
        result.answers().forEach((node, answer) ->
                assertEquals(node + ":channels:news:*", new String(answer, StandardCharsets.UTF_8)));
    }

    @Test
    void aMessageSentToOneNodeReachesOnlyThatNode() throws Exception {
        var terminate = new ControlMessage.TerminateConnections("node-a", "app", "42");
        var unsubscribe = new ControlMessage.Unsubscribe("node-a", "app", "42", "chat", "", "");

        join(member("node-a").cluster().send("node-c", terminate));
        join(member("node-a").cluster().broadcast(unsubscribe));

        assertEquals(List.of(terminate, unsubscribe), member("node-c").handler().await(2));
        // One sender's messages arrive in order: had b got the message for c, it would come before the broadcast.
        assertEquals(List.of(unsubscribe), member("node-b").handler().await(1));
        assertEquals(List.of(), member("node-a").handler().handled(), "the sender's echo is dropped");
    }

    @Test
    void aClosedNodeDropsOutAfterTheHeartbeatWindow() throws Exception {
        Member c = members.remove("node-c");
        c.cluster().close();
        c.connection().close();

        awaitNodes("node-a", List.of("node-a", "node-b"));
        awaitNodes("node-b", List.of("node-a", "node-b"));
        SurveyResult<byte[]> result = join(member("node-a").cluster().survey("channels", new byte[0]));
        assertTrue(result.complete());
        assertEquals(List.of("node-a", "node-b"), List.copyOf(result.answers().keySet()));
    }

    @Test
    void aNodeIdThatWouldBreakTheSubjectIsRefused() {
        NatsController controller = new NatsController(member("node-a").connection());
        assertThrows(IllegalArgumentException.class, () -> controller.start("node.*", message -> { }));
        controller.close();
    }

    /** Awaits (bounded) until {@code node} lists exactly {@code expected}; heartbeats come on the timer thread. */
    private void awaitNodes(String node, List<String> expected) throws InterruptedException {
        Supplier<List<String>> ids = () -> member(node).cluster().nodes().stream().map(NodeInfo::id).toList();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ids.get().equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + " lists " + ids.get() + ", expected " + expected);
            }
            Thread.sleep(20);
        }
    }

    /** Records the actions a node is given; answers a survey with {@code "<node>:<op>:<payload>"}. */
    private static final class Recorder implements ControlHandler {
        private final String nodeId;
        private final List<ControlMessage> handled = new ArrayList<>();

        Recorder(String nodeId) {
            this.nodeId = nodeId;
        }

        @Override
        public synchronized void handle(ControlMessage message) {
            handled.add(message);
            notifyAll();
        }

        @Override
        public CompletionStage<byte[]> answer(ControlMessage.SurveyRequest request) {
            String answer = nodeId + ":" + request.op() + ":" + new String(request.payload(), StandardCharsets.UTF_8);
            return CompletableFuture.completedFuture(answer.getBytes(StandardCharsets.UTF_8));
        }

        synchronized List<ControlMessage> handled() {
            return List.copyOf(handled);
        }

        /** Waits (bounded) for {@code count} actions and returns all so far. */
        synchronized List<ControlMessage> await(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (handled.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(nodeId + " got only " + handled);
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(handled);
        }
    }
}
