package dev.herald.engines.redis;

import dev.herald.core.cluster.Cluster;
import dev.herald.core.cluster.ClusterTiming;
import dev.herald.core.cluster.ControlHandler;
import dev.herald.core.cluster.Controller;
import dev.herald.core.cluster.SurveyResult;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.engines.testing.RedisServer;
import dev.herald.protocol.control.ControlCodec;
import dev.herald.protocol.control.ControlCodecException;
import dev.herald.protocol.control.ControlMessage;
import dev.herald.protocol.control.ControlMessage.NodeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three {@link Cluster}s over three {@link RedisController}s on one real redis-server, in real (short) time. */
class RedisControllerTest {
    static final ClusterTiming TIMING =
            new ClusterTiming(Duration.ofMillis(200), Duration.ofMillis(700), Duration.ofSeconds(3));
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static RedisServer redis;
    private static RedisServer second;
    private static RedisShards shards;
    private static RedisShards twoShards;
    private static ScheduledExecutorService timer;

    private final List<Member> members = new ArrayList<>();
    private final String run = "t" + RUNS.incrementAndGet() + "-";

    @BeforeAll
    static void startRedis() {
        redis = (RedisServer) new RedisServer().start();
        shards = new RedisShards(List.of(redis.address()), "test", Duration.ofSeconds(1), Duration.ofSeconds(2));
        second = (RedisServer) new RedisServer().start();
        twoShards = new RedisShards(List.of(redis.address(), second.address()), "two", Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        timer = Executors.newScheduledThreadPool(1);
    }

    @AfterAll
    static void stopRedis() {
        timer.shutdownNow();
        shards.close();
        twoShards.close();
        redis.close();
        second.close();
    }

    @AfterEach
    void closeAll() {
        members.forEach(m -> m.cluster().close());
    }

    /** One node: its cluster, its controller, what its handler got, and every raw message its controller delivered. */
    record Member(String id, Cluster cluster, RedisController controller, Handler handler, List<byte[]> raw) {
    }

    /** Keeps the actions it is given and answers a survey with {@code "<node>:<op>"}. */
    static final class Handler implements ControlHandler {
        private final String id;
        final List<ControlMessage> handled = new CopyOnWriteArrayList<>();

        Handler(String id) {
            this.id = id;
        }

        @Override
        public void handle(ControlMessage message) {
            handled.add(message);
        }

        @Override
        public CompletionStage<byte[]> answer(ControlMessage.SurveyRequest request) {
            return CompletableFuture.completedFuture((id + ":" + request.op()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Lets the test see what the controller delivers before the cluster filters it. */
    private record Tap(RedisController inner, List<byte[]> raw) implements Controller {
        @Override
        public void start(String nodeId, Receiver receiver) {
            inner.start(nodeId, message -> {
                raw.add(message);
                receiver.receive(message);
            });
        }

        @Override
        public CompletionStage<Void> broadcast(byte[] message) {
            return inner.broadcast(message);
        }

        @Override
        public CompletionStage<Void> send(String nodeId, byte[] message) {
            return inner.send(nodeId, message);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    static Member join(String id, RedisShards over, List<Member> into) {
        RedisController controller = new RedisController(over);
        List<byte[]> raw = new CopyOnWriteArrayList<>();
        Cluster cluster = new Cluster(new Tap(controller, raw), id, new ExecutorScheduler(timer),
                System::currentTimeMillis, TIMING);
        Handler handler = new Handler(id);
        cluster.start(handler, () -> new NodeInfo(id, "host-" + id, "test", 1, 1, 1, 1, 0));
        Member member = new Member(id, cluster, controller, handler, raw);
        into.add(member);
        return member;
    }

    private List<Member> threeNodes() throws Exception {
        List<Member> three = List.of(join(run + "a", shards, members), join(run + "b", shards, members),
                join(run + "c", shards, members));
        awaitEveryoneListed(three);
        return three;
    }

    static void awaitEveryoneListed(List<Member> nodes) throws Exception {
        List<String> ids = nodes.stream().map(Member::id).sorted().toList();
        for (Member m : nodes) {
            await(() -> ids(m.cluster()).equals(ids), m.id() + " to list " + ids);
        }
    }

    static List<String> ids(Cluster cluster) {
        return cluster.nodes().stream().map(NodeInfo::id).toList();
    }

    static void await(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10); // polling a condition with a bound, not standing in for synchronisation
        }
    }

    static ControlMessage.Disconnect disconnect(String sender, String user) {
        return new ControlMessage.Disconnect(sender, "", user, "", "", List.of(), 3000, "test");
    }

    private static boolean rawContains(Member m, ControlMessage message) {
        for (byte[] bytes : m.raw()) {
            try {
                if (ControlCodec.decode(bytes).equals(message)) {
                    return true;
                }
            } catch (ControlCodecException e) {
                throw new AssertionError(e);
            }
        }
        return false;
    }

    @Test
    void heartbeatsMakeEveryNodeSeeTheOthersWithTheirInfo() throws Exception {
        List<Member> three = threeNodes();
        NodeInfo b = three.get(0).cluster().nodes().get(1);
        assertEquals(new NodeInfo(run + "b", "host-" + run + "b", "test", 1, 1, 1, 1, 0), b);
        assertTrue(three.stream().allMatch(m -> m.controller().healthy()));
    }

    @Test
    void aSurveyGetsAnAnswerFromEveryNode() throws Exception {
        Member a = threeNodes().getFirst();
        SurveyResult<byte[]> result = a.cluster().survey("channels", new byte[0]).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertTrue(result.complete(), "missing: " + result.missing());
        assertEquals(List.of(run + "a", run + "b", run + "c"), result.answers().keySet().stream().sorted().toList());
        result.answers().forEach((node, answer) ->
                assertArrayEquals((node + ":channels").getBytes(StandardCharsets.UTF_8), answer));
    }

    @Test
    void aClosedNodeDropsOutAfterTheHeartbeatWindow() throws Exception {
        List<Member> three = threeNodes();
        Member c = three.get(2);
        c.cluster().close();
        assertFalse(c.controller().healthy());
        assertTrue(c.cluster().broadcast(disconnect(c.id(), "u")).toCompletableFuture().isCompletedExceptionally(),
                "a closed controller sends nothing");
        for (Member m : three.subList(0, 2)) {
            await(() -> ids(m.cluster()).equals(List.of(run + "a", run + "b")), m.id() + " to drop c");
        }
    }

    @Test
    void aSendReachesOnlyItsNodeAndABroadcastEveryOtherNode() throws Exception {
        List<Member> three = threeNodes();
        Member a = three.get(0);
        Member b = three.get(1);
        Member c = three.get(2);
        ControlMessage.Disconnect toB = disconnect(a.id(), "only-b");
        ControlMessage.Disconnect toAll = disconnect(a.id(), "everyone");

        a.cluster().send(b.id(), toB).toCompletableFuture().get(5, TimeUnit.SECONDS);
        a.cluster().broadcast(toAll).toCompletableFuture().get(5, TimeUnit.SECONDS);

        await(() -> b.handler().handled.equals(List.of(toB, toAll)), "b to get both, in order");
        await(() -> c.handler().handled.contains(toAll), "c to get the broadcast");
        // a's messages reach c in order, so once the broadcast is there the send to b would have been too.
        assertEquals(List.of(toAll), c.handler().handled);
        // Redis loops a's broadcast back to a; the cluster drops it rather than apply a's action twice.
        await(() -> rawContains(a, toAll), "a's broadcast to loop back");
        assertEquals(List.of(), a.handler().handled);
    }

    @Test
    void whileRedisIsDownSendsFailAndTrafficResumesWhenItIsBack() throws Exception {
        List<Member> three = threeNodes();
        Member a = three.get(0);
        Member b = three.get(1);
        redis.stop();
        try {
            await(() -> a.cluster().send(b.id(), disconnect(a.id(), "down")).toCompletableFuture()
                    .handle((ok, error) -> error != null).join(), "a send to fail while Redis is down");
            await(() -> !a.controller().healthy(), "a to report unhealthy");
        } finally {
            redis.start();
        }
        ControlMessage.Disconnect back = disconnect(a.id(), "back");
        await(() -> {
            a.cluster().send(b.id(), back).exceptionally(e -> null);
            return b.handler().handled.contains(back);
        }, "a send to reach b after Redis is back");
        awaitEveryoneListed(three);
        await(() -> three.stream().allMatch(m -> m.controller().healthy()), "every controller healthy again");
        SurveyResult<byte[]> result = a.cluster().survey("channels", new byte[0]).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertTrue(result.complete(), "missing: " + result.missing());
    }

    @Test
    void overTwoShardsNodesPublishOnTheirOwnShardAndMoveToTheOtherWhileItIsDown() throws Exception {
        // ids whose home shards differ, so both shards carry traffic
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 3; i++) {
            String id = run + "n" + i;
            if (ids.size() < 2 || twoShards.forKey(id) != twoShards.forKey(ids.getFirst())) {
                ids.add(id);
            }
        }
        List<Member> three = new ArrayList<>();
        for (String id : ids) {
            join(id, twoShards, three);
        }
        members.addAll(three);
        awaitEveryoneListed(three);
        Member onSecond = three.stream().filter(m -> twoShards.forKey(m.id()).index() == 1).findFirst().orElseThrow();
        Member other = three.stream().filter(m -> m != onSecond).findFirst().orElseThrow();

        second.stop();
        try {
            await(() -> !onSecond.controller().healthy(), "unhealthy with a shard down");
            ControlMessage.Disconnect detour = disconnect(onSecond.id(), "detour");
            await(() -> {
                onSecond.cluster().send(other.id(), detour).exceptionally(e -> null);
                return other.handler().handled.contains(detour);
            }, "a node whose shard is down to reach another over the first shard");
        } finally {
            second.start();
        }
        await(() -> three.stream().allMatch(m -> m.controller().healthy()), "every controller healthy again");
        SurveyResult<byte[]> result = other.cluster().survey("channels", new byte[0]).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertTrue(result.complete(), "missing: " + result.missing());
    }
}
