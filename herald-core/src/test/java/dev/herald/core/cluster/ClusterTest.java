package dev.herald.core.cluster;

import dev.herald.core.time.ManualClock;
import dev.herald.core.time.ManualScheduler;
import dev.herald.protocol.control.ControlCodec;
import dev.herald.protocol.control.ControlMessage;
import dev.herald.protocol.control.ControlMessage.NodeInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three nodes on the in-memory bus, with time driven by the test: surveys, heartbeats and control messages. */
class ClusterTest {
    private static final ClusterTiming TIMING =
            new ClusterTiming(Duration.ofSeconds(3), Duration.ofSeconds(7), Duration.ofSeconds(2));

    private final ManualScheduler time = new ManualScheduler();
    private final MemoryControlBus bus = new MemoryControlBus(time);
    private final Map<String, Member> members = new LinkedHashMap<>();

    /** One node of the test cluster. */
    private record Member(Cluster cluster, RecordingHandler handler) {
    }

    @AfterEach
    void closeAll() {
        members.values().forEach(m -> m.cluster().close());
    }

    private Member join(String id) {
        Cluster cluster = new Cluster(bus.controller(), id, time, time.clock()::millis, TIMING);
        RecordingHandler handler = new RecordingHandler(id);
        cluster.start(handler, () -> new NodeInfo(id, "host-" + id, "test", 1, 1, 2, 2, (time.clock().millis() - ManualClock.DEFAULT_START_MILLIS) / 1000));
        Member member = new Member(cluster, handler);
        members.put(id, member);
        return member;
    }

    private Member a() {
        return members.get("a");
    }

    private void threeNodes() {
        join("a");
        join("b");
        join("c");
    }

    private static <T> T done(CompletionStage<T> stage) {
        CompletableFuture<T> future = stage.toCompletableFuture();
        assertTrue(future.isDone(), "not complete yet");
        return future.join();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<String> ids(List<NodeInfo> nodes) {
        return nodes.stream().map(NodeInfo::id).toList();
    }

    @Test
    void aSurveyOverThreeNodesMergesThreeAnswersAndIsComplete() {
        threeNodes();
        byte[] payload = "news:*".getBytes(StandardCharsets.UTF_8);

        SurveyResult<byte[]> result = done(a().cluster().survey("channels", payload));

        assertTrue(result.complete());
        assertEquals(List.of(), result.missing());
        assertEquals(List.of("a", "b", "c"), List.copyOf(result.answers().keySet()));
        result.answers().forEach((node, answer) ->
                assertArrayEquals(RecordingHandler.answerOf(node, "channels", payload), answer, node));
        assertEquals(0, a().cluster().pendingSurveys());
        assertEquals("a", members.get("b").handler().asked.getFirst().sender());
    }

    @Test
    void aNodeThatStopsAnsweringMakesTheSurveyIncompleteAtItsTimeoutNamingIt() {
        threeNodes();
        bus.stop("c");

        CompletableFuture<SurveyResult<byte[]>> pending =
                a().cluster().survey("connections", new byte[0]).toCompletableFuture();
        time.advance(Duration.ofMillis(TIMING.surveyTimeout().toMillis() - 1));
        assertFalse(pending.isDone(), "waits for c until the timeout");
        time.advance(Duration.ofMillis(1));

        SurveyResult<byte[]> result = done(pending);
        assertFalse(result.complete());
        assertEquals(List.of("c"), result.missing());
        assertEquals(List.of("a", "b"), List.copyOf(result.answers().keySet()));
        assertEquals(0, a().cluster().pendingSurveys());
    }

    @Test
    void heartbeatsListThreeNodesAndAStoppedNodeDropsOutAfterTheWindow() {
        threeNodes();
        assertEquals(List.of("a", "b", "c"), ids(a().cluster().nodes()));
        time.advance(TIMING.heartbeatInterval());
        bus.stop("c"); // c's last heartbeat went out just now, at 3 s

        time.advance(TIMING.heartbeatWindow());
        assertEquals(List.of("a", "b", "c"), ids(a().cluster().nodes()), "still inside c's window");
        time.advance(Duration.ofMillis(1));
        assertEquals(List.of("a", "b"), ids(a().cluster().nodes()));
        assertEquals(List.of("a", "b"), ids(members.get("b").cluster().nodes()));
        assertEquals(List.of("c"), ids(members.get("c").cluster().nodes()), "nothing reaches c either");
    }

    @Test
    void heartbeatsCarryEachNodesInfo() {
        threeNodes();
        time.advance(Duration.ofMillis(TIMING.heartbeatInterval().toMillis() * 2));
        NodeInfo b = a().cluster().nodes().get(1);
        assertEquals(new NodeInfo("b", "host-b", "test", 1, 1, 2, 2, 6), b);
    }

    @Test
    void aResumedNodeIsListedAgainWithItsNextHeartbeat() {
        threeNodes();
        bus.stop("c");
        time.advance(TIMING.heartbeatWindow().plus(TIMING.heartbeatInterval()));
        assertEquals(List.of("a", "b"), ids(a().cluster().nodes()));
        bus.resume("c");
        time.advance(TIMING.heartbeatInterval());
        assertEquals(List.of("a", "b", "c"), ids(a().cluster().nodes()));
        assertTrue(done(a().cluster().survey("channels", new byte[0])).complete());
    }

    @Test
    void aNodeThatJoinsLaterListsTheWholeClusterAtOnce() {
        join("a");
        join("b");
        time.advance(Duration.ofMillis(1_000));
        Member c = join("c");
        // c's first heartbeat made a and b greet it back without waiting for their next interval
        assertEquals(List.of("a", "b", "c"), ids(c.cluster().nodes()));
        assertEquals(List.of("a", "b", "c"), ids(a().cluster().nodes()));
    }

    @Test
    void controlMessagesReachEveryOtherNodeOnceAndNotTheSender() {
        threeNodes();
        var disconnect = new ControlMessage.Disconnect("a", "app", "42", "", "", List.of("keep"), 3503,
                "force disconnect");

        done(a().cluster().broadcast(disconnect));

        assertEquals(List.of(), a().handler().handled);
        assertEquals(List.of(disconnect), members.get("b").handler().handled);
        assertEquals(List.of(disconnect), members.get("c").handler().handled);
    }

    @Test
    void aMessageSentToOneNodeReachesThatNodeOnly() {
        threeNodes();
        var terminate = new ControlMessage.TerminateConnections("a", "pusher", "42");

        done(a().cluster().send("c", terminate));

        assertEquals(List.of(), members.get("b").handler().handled);
        assertEquals(List.of(terminate), members.get("c").handler().handled);
    }

    @Test
    void aNodeCannotSendInAnotherNodesName() {
        threeNodes();
        assertThrows(IllegalArgumentException.class, () -> a().cluster().broadcast(
                new ControlMessage.TerminateConnections("b", "app", "42")));
    }

    @Test
    void aDelayedBusDeliversInOrderPerSenderAfterTheDelay() {
        threeNodes();
        bus.delay(Duration.ofMillis(50));
        List<ControlMessage> fromA = new ArrayList<>();
        List<ControlMessage> fromB = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            var ma = new ControlMessage.Unsubscribe("a", "app", "u", "ch-" + i, "", "");
            var mb = new ControlMessage.Unsubscribe("b", "app", "u", "ch-" + i, "", "");
            fromA.add(ma);
            fromB.add(mb);
            a().cluster().broadcast(ma);
            members.get("b").cluster().broadcast(mb);
        }
        RecordingHandler c = members.get("c").handler();
        time.advance(Duration.ofMillis(49));
        assertEquals(List.of(), c.handled, "held for the delay");

        time.advance(Duration.ofMillis(1));

        assertEquals(fromA, c.handled.stream().filter(m -> m.sender().equals("a")).toList());
        assertEquals(fromB, c.handled.stream().filter(m -> m.sender().equals("b")).toList());
        assertEquals(fromB, a().handler().handled);
        assertEquals(fromA, members.get("b").handler().handled);
    }

    @Test
    void aSurveyOnADelayedBusCompletesWhenTheAnswersArrive() {
        threeNodes();
        bus.delay(Duration.ofMillis(300));
        CompletableFuture<SurveyResult<byte[]>> pending =
                a().cluster().survey("channels", new byte[0]).toCompletableFuture();
        time.advance(Duration.ofMillis(599));
        assertFalse(pending.isDone(), "request and answer each take 300 ms");
        time.advance(Duration.ofMillis(1));
        assertTrue(done(pending).complete());
    }

    @Test
    void anAnswerThatFailsIsReportedAsThatNodesErrorAndTheResultIsIncomplete() {
        threeNodes();
        SurveyResult<byte[]> thrown = done(a().cluster().survey("fail", new byte[0]));
        assertFalse(thrown.complete());
        assertEquals(List.of(), thrown.missing(), "every node answered, with an error");
        assertEquals(Map.of("a", "a cannot answer", "b", "b cannot answer", "c", "c cannot answer"),
                thrown.errors());

        SurveyResult<byte[]> failed = done(a().cluster().survey("fail-later", new byte[0]));
        assertEquals("b failed later", failed.errors().get("b"));
        assertTrue(failed.answers().isEmpty());
    }

    @Test
    void askReachesOneNodeOnlyAndNamesItWhenItIsSilent() {
        threeNodes();
        SurveyResult<byte[]> fromB = done(a().cluster().ask("b", "emulation", new byte[]{'x'},
                Duration.ofSeconds(1)));
        assertTrue(fromB.complete());
        assertEquals("b:emulation:x", text(fromB.answers().get("b")));
        assertEquals(List.of(), members.get("c").handler().asked);

        SurveyResult<byte[]> self = done(a().cluster().ask("a", "emulation", new byte[0], Duration.ofSeconds(1)));
        assertEquals(List.of("a"), List.copyOf(self.answers().keySet()));

        bus.stop("c");
        CompletableFuture<SurveyResult<byte[]>> silent =
                a().cluster().ask("c", "emulation", new byte[0], Duration.ofSeconds(1)).toCompletableFuture();
        time.advance(Duration.ofMillis(1_000));
        assertEquals(List.of("c"), done(silent).missing());
    }

    @Test
    void anAnswerAfterTheTimeoutIsDropped() {
        threeNodes();
        members.get("c").handler().hold();
        CompletableFuture<SurveyResult<byte[]>> pending =
                a().cluster().survey("channels", new byte[0]).toCompletableFuture();
        time.advance(TIMING.surveyTimeout());
        SurveyResult<byte[]> result = done(pending);
        assertEquals(List.of("c"), result.missing());

        members.get("c").handler().held.getFirst().complete("late".getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of("c"), result.missing());
        assertEquals(0, a().cluster().pendingSurveys());
    }

    @Test
    void anAnswerGivenLaterButInTimeCompletesTheSurvey() {
        threeNodes();
        a().handler().hold();
        CompletableFuture<SurveyResult<byte[]>> pending =
                a().cluster().survey("channels", new byte[0]).toCompletableFuture();
        assertFalse(pending.isDone(), "the requester's own answer is still to come");
        a().handler().held.getFirst().complete("own".getBytes(StandardCharsets.UTF_8));
        SurveyResult<byte[]> result = done(pending);
        assertTrue(result.complete());
        assertEquals("own", text(result.answers().get("a")));
    }

    @Test
    void closingANodeEndsItsPendingSurveysAtOnce() {
        threeNodes();
        bus.stop("c");
        Member a = members.remove("a");
        CompletableFuture<SurveyResult<byte[]>> pending =
                a.cluster().survey("channels", new byte[0]).toCompletableFuture();
        a.cluster().close();
        SurveyResult<byte[]> result = done(pending);
        assertEquals(List.of("c"), result.missing());
        assertEquals(0, a.cluster().pendingSurveys());
    }

    @Test
    void unreadableMessagesAndTypesOfALaterReleaseAreIgnored() throws Exception {
        threeNodes();
        Controller raw = bus.controller();
        raw.start("raw", message -> { });
        raw.broadcast(new byte[]{1, 2, 3, 4, 5});
        raw.broadcast("{\"not\":\"protobuf\"}".getBytes(StandardCharsets.UTF_8));
        raw.broadcast(laterReleaseMessage());

        members.values().forEach(m -> assertEquals(List.of(), m.handler().handled));
        assertTrue(done(a().cluster().survey("channels", new byte[0])).complete(), "the nodes kept working");
        raw.close();
    }

    /** A type number this release does not know, in a valid envelope. */
    private static byte[] laterReleaseMessage() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var coded = com.google.protobuf.CodedOutputStream.newInstance(out);
        coded.writeUInt32(1, ControlCodec.VERSION);
        coded.writeUInt32(2, 77);
        coded.writeString(3, "future-node");
        coded.writeByteArray(4, new byte[]{8, 1});
        coded.flush();
        return out.toByteArray();
    }

    @Test
    void aClosedNodeStopsReceivingAndDropsOutOfInfo() {
        threeNodes();
        Member c = members.remove("c");
        c.cluster().close();
        done(a().cluster().broadcast(new ControlMessage.TerminateConnections("a", "app", "u")));
        assertEquals(List.of(), c.handler().handled);
        time.advance(TIMING.heartbeatWindow().plusMillis(1));
        assertEquals(List.of("a", "b"), ids(a().cluster().nodes()));
        assertEquals(List.of("a", "b"), List.copyOf(bus.nodeIds().stream().sorted().toList()));
    }
}
