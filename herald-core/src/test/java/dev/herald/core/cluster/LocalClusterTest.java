package dev.herald.core.cluster;

import dev.herald.core.time.ManualClock;
import dev.herald.core.time.ManualScheduler;
import dev.herald.protocol.control.ControlMessage;
import dev.herald.protocol.control.ControlMessage.NodeInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node alone (the default): surveys hold its own answer and are complete at once; info lists it only. */
class LocalClusterTest {
    private final ManualScheduler time = new ManualScheduler();

    private Cluster alone(RecordingHandler handler) {
        Cluster cluster = new Cluster(new LocalController(), "solo", time, time.clock()::millis, ClusterTiming.DEFAULTS);
        cluster.start(handler, () -> new NodeInfo("solo", "host", "test", 3, 2, 5, 4, (time.clock().millis() - ManualClock.DEFAULT_START_MILLIS) / 1000));
        return cluster;
    }

    @Test
    void aSurveyHoldsTheLocalAnswerAndIsCompleteAtOnce() {
        RecordingHandler handler = new RecordingHandler("solo");
        try (Cluster cluster = alone(handler)) {
            CompletableFuture<SurveyResult<byte[]>> result =
                    cluster.survey("channels", "x".getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
            assertTrue(result.isDone());
            assertTrue(result.join().complete());
            assertEquals("solo:channels:x",
                    new String(result.join().answers().get("solo"), StandardCharsets.UTF_8));
            assertEquals(0, cluster.pendingSurveys());
        }
    }

    @Test
    void infoListsThisNodeWithItsCurrentCounts() {
        try (Cluster cluster = alone(new RecordingHandler("solo"))) {
            time.advance(Duration.ofSeconds(30));
            assertEquals(List.of(new NodeInfo("solo", "host", "test", 3, 2, 5, 4, 30)), cluster.nodes());
        }
    }

    @Test
    void broadcastsGoNowhereAndComplete() {
        RecordingHandler handler = new RecordingHandler("solo");
        try (Cluster cluster = alone(handler)) {
            assertTrue(cluster.broadcast(new ControlMessage.TerminateConnections("solo", "app", "u"))
                    .toCompletableFuture().isDone());
            assertEquals(List.of(), handler.handled);
        }
    }

    @Test
    void aClosedClusterSchedulesNoMoreHeartbeats() {
        Cluster cluster = alone(new RecordingHandler("solo"));
        assertEquals(1, time.pending(), "the next heartbeat");
        cluster.close();
        assertEquals(0, time.pending());
    }

    @Test
    void surveyResultsDecodeAnswersAndMoveUndecodableOnesToErrors() {
        SurveyResult<byte[]> raw = new SurveyResult<>(
                Map.of("a", "1".getBytes(StandardCharsets.UTF_8), "b", "x".getBytes(StandardCharsets.UTF_8)),
                Map.of("c", "down"), List.of("d"));
        SurveyResult<Integer> decoded = raw.map(bytes -> Integer.parseInt(new String(bytes, StandardCharsets.UTF_8)));
        assertEquals(Map.of("a", 1), decoded.answers());
        assertEquals(List.of("b", "c"), List.copyOf(decoded.errors().keySet()));
        assertEquals(List.of("d"), decoded.missing());
        assertEquals(false, decoded.complete());
    }

    @Test
    void timingRefusesAWindowNoLongerThanTheInterval() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterTiming(Duration.ofSeconds(3),
                Duration.ofSeconds(3), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new ClusterTiming(Duration.ofSeconds(3),
                Duration.ofSeconds(7), Duration.ZERO));
    }
}
