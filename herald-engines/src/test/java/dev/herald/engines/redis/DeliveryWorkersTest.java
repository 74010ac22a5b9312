package dev.herald.engines.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryWorkersTest {

    /** A sink whose first delivery waits for the test, so the lane's queue fills behind it. */
    private static final class GatedSink implements DeliveryWorkers.Sink {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final Set<String> interrupted = ConcurrentHashMap.newKeySet();

        @Override
        public void deliver(String channel, byte[] message) {
            entered.countDown();
            try {
                assertTrue(gate.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.add(channel + ":" + new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void interrupted(String channel) {
            interrupted.add(channel);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFullLaneDropsWithoutBlockingAndReportsTheChannelInterrupted() throws Exception {
        GatedSink sink = new GatedSink();
        DeliveryWorkers workers = new DeliveryWorkers("test-lane", 1, 2, sink);
        workers.start();
        try {
            workers.message(b("a"), b("1"));
            assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
            // the lane is busy with 1: 2 and 3 fill its queue, 4 and 5 are dropped (this thread never blocks)
            for (int i = 2; i <= 5; i++) {
                workers.message(b("a"), b(Integer.toString(i)));
            }
            sink.gate.countDown();
            Await.until(() -> sink.interrupted.contains("a"), "channel a reported interrupted");
            assertEquals(Set.of("a"), sink.interrupted);
            Await.until(() -> sink.delivered.size() == 3, "the queued messages delivered");
            assertEquals(List.of("a:1", "a:2", "a:3"), sink.delivered, "in order, the dropped ones missing");
        } finally {
            workers.close();
        }
    }
}
