package dev.herald.core.cluster;

import dev.herald.core.time.ManualScheduler;
import dev.herald.core.time.ExecutorScheduler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bus on its own, with raw bytes: delivery rules under real threads, and its fault injection. */
class MemoryControlBusTest {
    private static final int NODES = 4;
    private static final int PER_SENDER = 2_000;

    /** What one node received: the messages "sender:seq" in arrival order, per sender. */
    private static final class Inbox {
        final Map<String, List<Integer>> bySender = new ConcurrentHashMap<>();

        void add(byte[] message) {
            String[] parts = new String(message, StandardCharsets.UTF_8).split(":");
            bySender.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
        }
    }

    private static byte[] message(String sender, int seq) {
        return (sender + ":" + seq).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void concurrentSendersEachKeepTheirOrderAndEveryMessageArrivesOnce() throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        try {
            runConcurrentSenders(new MemoryControlBus(new ExecutorScheduler(timer)), false);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void withADelayAndAMultiThreadedSchedulerOrderPerSenderStillHolds() throws Exception {
        // Four timer threads run the releases concurrently and not necessarily in due order.
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
        try {
            MemoryControlBus bus = new MemoryControlBus(new ExecutorScheduler(timer));
            bus.delay(Duration.ofMillis(1));
            runConcurrentSenders(bus, true);
        } finally {
            timer.shutdownNow();
        }
    }

    private static void runConcurrentSenders(MemoryControlBus bus, boolean delayed) throws Exception {
        List<Controller> controllers = new ArrayList<>();
        List<Inbox> inboxes = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(NODES * (NODES - 1) * PER_SENDER);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        for (int n = 0; n < NODES; n++) {
            Inbox inbox = new Inbox();
            Controller controller = bus.controller();
            controller.start("n" + n, message -> {
                if (inside.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                inbox.add(message);
                inside.decrementAndGet();
                all.countDown();
            });
            controllers.add(controller);
            inboxes.add(inbox);
        }
        List<Thread> senders = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            Controller controller = controllers.get(n);
            String id = "n" + n;
            senders.add(Thread.ofPlatform().start(() -> {
                for (int seq = 0; seq < PER_SENDER; seq++) {
                    controller.broadcast(message(id, seq));
                }
            }));
        }
        for (Thread sender : senders) {
            sender.join(10_000);
        }
        assertTrue(all.await(20, TimeUnit.SECONDS), "undelivered: " + all.getCount() + (delayed ? " (delayed)" : ""));
        assertEquals(0, overlaps.get(), "two receivers ran at the same time");
        for (int n = 0; n < NODES; n++) {
            Map<String, List<Integer>> got = inboxes.get(n).bySender;
            assertTrue(!got.containsKey("n" + n), "node n" + n + " received its own broadcast");
            assertEquals(NODES - 1, got.size());
            int receiver = n;
            got.forEach((sender, seqs) -> assertEquals(-1, firstOutOfPlace(seqs),
                    "n" + receiver + " got from " + sender + " out of order or not once each"));
        }
    }

    /** The first index whose sequence number is not its index, or -1 when the list is exactly 0..PER_SENDER-1. */
    private static int firstOutOfPlace(List<Integer> seqs) {
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i) != i) {
                return i;
            }
        }
        return seqs.size() == PER_SENDER ? -1 : seqs.size();
    }

    @Test
    void aStoppedNodeNeitherReceivesNorSendsUntilResumed() {
        ManualScheduler time = new ManualScheduler();
        MemoryControlBus bus = new MemoryControlBus(time);
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        Controller ca = bus.controller();
        Controller cb = bus.controller();
        ca.start("a", a::add);
        cb.start("b", b::add);

        bus.stop("b");
        ca.broadcast(message("a", 0));
        ca.send("b", message("a", 1));
        cb.broadcast(message("b", 0));
        cb.send("a", message("b", 1));
        assertEquals(Map.of(), a.bySender);
        assertEquals(Map.of(), b.bySender);

        bus.resume("b");
        ca.send("b", message("a", 2));
        cb.send("a", message("b", 2));
        assertEquals(Map.of("a", List.of(2)), b.bySender);
        assertEquals(Map.of("b", List.of(2)), a.bySender);
    }

    @Test
    void aMessageDelayedPastAStopIsDroppedAtTheStoppedReceiver() {
        ManualScheduler time = new ManualScheduler();
        MemoryControlBus bus = new MemoryControlBus(time);
        Inbox b = new Inbox();
        Controller ca = bus.controller();
        ca.start("a", message -> { });
        bus.controller().start("b", b::add);
        bus.delay(Duration.ofMillis(100));

        ca.send("b", message("a", 0));
        bus.stop("b");
        time.advance(Duration.ofMillis(100));

        assertEquals(Map.of(), b.bySender);
    }

    @Test
    void aReceiverThatSendsIsNotReEntered() {
        ManualScheduler time = new ManualScheduler();
        MemoryControlBus bus = new MemoryControlBus(time);
        List<String> trace = new CopyOnWriteArrayList<>();
        Controller ca = bus.controller();
        Controller cb = bus.controller();
        ca.start("a", message -> trace.add("a got " + new String(message, StandardCharsets.UTF_8)));
        cb.start("b", message -> {
            trace.add("b start");
            cb.send("a", message("b", 1));
            trace.add("b end");
        });

        ca.send("b", message("a", 0));

        assertEquals(List.of("b start", "b end", "a got b:1"), trace);
    }

    @Test
    void nodeIdsAreUniqueAndAControllerSendsOnlyOnceStarted() {
        MemoryControlBus bus = new MemoryControlBus(new ManualScheduler());
        bus.controller().start("a", message -> { });
        assertThrows(IllegalStateException.class, () -> bus.controller().start("a", message -> { }));
        Controller unstarted = bus.controller();
        assertThrows(IllegalStateException.class, () -> unstarted.broadcast(new byte[]{1}));
        assertEquals(java.util.Set.of("a"), bus.nodeIds());
    }
}
