package dev.herald.core.cluster;

import dev.herald.core.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several nodes' controllers in one JVM: each {@link #controller()} is one node's view of a shared bus. It is the
 * cluster test bed (several nodes in one process, no Redis) and the smallest complete {@link Controller}.
 *
 * <p>Faults can be injected while it runs: {@link #stop} makes a node stop answering (messages to it are dropped
 * and it sends nothing, so its heartbeats and survey answers stop too) until {@link #resume}; {@link #delay}
 * holds every message for a while before delivery, still in order per sender.
 *
 * <p>Threading: deliveries are serialised over the whole bus, so no two receivers ever run at the same time.
 * A message is delivered on the thread that sent it (or, with a delay, on the scheduler's thread), unless another
 * thread is already delivering, which then delivers it too. A receiver that sends is not re-entered: its message
 * waits until the current delivery returns. So receivers must not block, and must never wait for a message to
 * arrive, which could only be delivered after they return.
 */
public final class MemoryControlBus {
    private static final Logger log = LoggerFactory.getLogger(MemoryControlBus.class);
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    private final Scheduler scheduler;
    private final Map<String, View> nodes = new ConcurrentHashMap<>();
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();
    /** Per sender, the messages sent and not yet released to {@link #ready}, oldest first; locked on itself. */
    private final Map<String, Deque<Delivery>> outboxes = new ConcurrentHashMap<>();
    private final Queue<Delivery> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();
    private volatile long delayNanos;

    /** A message on its way: {@code to} null = every node but the sender. */
    private record Delivery(String from, String to, byte[] message) {
    }

    /** @param scheduler times delayed deliveries; unused while there is no delay */
    public MemoryControlBus(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** A new node's controller on this bus; the node's id is the one it is started with. */
    public Controller controller() {
        return new View();
    }

    /** The node stops answering: nothing reaches it and nothing it sends leaves it, until {@link #resume}. */
    public void stop(String nodeId) {
        stopped.add(nodeId);
    }

    public void resume(String nodeId) {
        stopped.remove(nodeId);
    }

    /** Every message sent from now on is delivered {@code delay} later (zero: at once). */
    public void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** The ids of the started, not closed nodes. */
    public Set<String> nodeIds() {
        return Set.copyOf(nodes.keySet());
    }

    private CompletionStage<Void> post(String from, String to, byte[] message) {
        if (stopped.contains(from)) {
            return DONE;
        }
        Deque<Delivery> outbox = outboxes.computeIfAbsent(from, k -> new ArrayDeque<>());
        synchronized (outbox) {
            outbox.add(new Delivery(from, to, message));
        }
        long delay = delayNanos;
        if (delay == 0) {
            release(outbox);
        } else {
            scheduler.schedule(() -> release(outbox), delay, TimeUnit.NANOSECONDS);
        }
        return DONE;
    }

    /**
     * Moves the sender's oldest message, whichever post this release was scheduled for, to the delivery queue.
     * There is one release per message, so a sender's messages keep their order even if the scheduler runs
     * releases out of order, and while the delay stays the same each goes out at its own due time (the oldest
     * is due first). The move happens under the outbox lock so two releases of one sender cannot swap messages.
     */
    private void release(Deque<Delivery> outbox) {
        synchronized (outbox) {
            Delivery next = outbox.poll();
            if (next == null) {
                return;
            }
            ready.add(next);
        }
        drain();
    }

    /** Delivers everything ready, unless another thread is at it; the re-check closes the hand-over race. */
    private void drain() {
        while (!ready.isEmpty() && delivering.compareAndSet(false, true)) {
            try {
                for (Delivery d; (d = ready.poll()) != null; ) {
                    deliver(d);
                }
            } finally {
                delivering.set(false);
            }
        }
    }

    private void deliver(Delivery d) {
        if (d.to() == null) {
            nodes.forEach((id, view) -> {
                if (!id.equals(d.from())) {
                    give(view, d.message());
                }
            });
        } else {
            View view = nodes.get(d.to());
            if (view != null) {
                give(view, d.message());
            }
        }
    }

    private void give(View view, byte[] message) {
        if (stopped.contains(view.id)) {
            return;
        }
        try {
            view.receiver.receive(message);
        } catch (RuntimeException e) {
            log.warn("control receiver of node {} failed", view.id, e);
        }
    }

    /** One node's controller: its sends go through the bus, and the bus delivers to its receiver. */
    private final class View implements Controller {
        private volatile String id;
        private volatile Receiver receiver;
        private volatile boolean closed;

        @Override
        public void start(String nodeId, Receiver receiver) {
            if (id != null) {
                throw new IllegalStateException("controller already started as node " + id);
            }
            this.id = nodeId;
            this.receiver = receiver;
            if (nodes.putIfAbsent(nodeId, this) != null) {
                throw new IllegalStateException("node id " + nodeId + " is already on the bus");
            }
        }

        @Override
        public CompletionStage<Void> broadcast(byte[] message) {
            return closed ? DONE : post(started(), null, message);
        }

        @Override
        public CompletionStage<Void> send(String nodeId, byte[] message) {
            return closed ? DONE : post(started(), nodeId, message);
        }

        @Override
        public void close() {
            closed = true;
            if (id != null) {
                nodes.remove(id, this);
            }
        }

        private String started() {
            String nodeId = id;
            if (nodeId == null) {
                throw new IllegalStateException("controller not started");
            }
            return nodeId;
        }
    }
}
