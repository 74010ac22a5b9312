package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelLanesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void eachChannelRunsInOrderOverSeveralLanes() throws Exception {
        List<ChannelKey> channels = IntStream.range(0, 8).mapToObj(i -> ChannelKey.of("ch-" + i)).toList();
        Map<ChannelKey, List<Integer>> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(channels.size() * 1000);
        try (ChannelLanes lanes = new ChannelLanes("test", 3, 10_000, channel -> { })) {
            for (int i = 0; i < 1000; i++) {
                for (ChannelKey channel : channels) {
                    int n = i;
                    assertTrue(lanes.execute(channel, () -> {
                        seen.computeIfAbsent(channel, k -> new CopyOnWriteArrayList<>()).add(n);
                        done.countDown();
                    }));
                }
            }
            assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        List<Integer> expected = IntStream.range(0, 1000).boxed().toList();
        channels.forEach(channel -> assertEquals(expected, seen.get(channel), channel.toString()));
    }

    @Test
    void aFullLaneDropsWithoutBlockingAndReportsTheChannelOnce() throws Exception {
        ChannelKey busy = ChannelKey.of("busy");
        List<ChannelKey> lost = new CopyOnWriteArrayList<>();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch last = new CountDownLatch(1);
        try (ChannelLanes lanes = new ChannelLanes("test", 1, 2, lost::add)) {
            lanes.execute(busy, () -> {
                started.countDown();
                await(gate);
            });
            assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            List<Boolean> accepted = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                accepted.add(lanes.execute(busy, () -> ran.add(n)));
            }
            assertEquals(List.of(true, true, false, false, false), accepted, "two fit, the rest are dropped at once");
            gate.countDown();
            // Once the lane has drained (a retry while it is still full would be a new drop, reported again), a
            // later task runs after the queued ones and the report.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ran.size() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(lanes.execute(busy, last::countDown));
            assertTrue(last.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(List.of(0, 1), ran);
        assertEquals(List.of(busy), lost, "reported once for three drops");
        assertFalse(lost.isEmpty());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
