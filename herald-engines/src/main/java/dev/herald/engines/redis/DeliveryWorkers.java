package dev.herald.engines.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a Lettuce I/O thread hands off what a pub/sub connection received, at once and without blocking: a few
 * single-thread lanes with bounded queues, a channel always on the same lane, so each channel's messages are
 * delivered in arrival order while the I/O thread goes back to reading.
 *
 * <p>A full lane drops the message and remembers its channel; the lane reports that channel interrupted to the
 * {@link Sink} after the next message it handles (a marker queued behind the drop wakes it if it was idle), so the
 * node checks its clients' positions instead of leaving them silently behind. The remembered channels are at most
 * the channels this node subscribes, so that set is bounded too.
 */
final class DeliveryWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);

    /** What the lanes call, on their own threads. */
    interface Sink {
        /** A message received on PUB/SUB channel {@code channel}. */
        void deliver(String channel, byte[] message);

        /** Messages of the channel may have been lost. */
        void interrupted(String channel);
    }

    /** A queued message; a null message is an interruption marker, {@link #WAKE} only wakes the lane. */
    private record Task(byte[] channel, byte[] message) {
    }

    private static final Task WAKE = new Task(new byte[0], null);

    private final Lane[] lanes;

    DeliveryWorkers(String name, int count, int capacity, Sink sink) {
        lanes = new Lane[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new Lane(name + "-" + i, capacity, sink);
        }
    }

    void start() {
        for (Lane lane : lanes) {
            lane.thread.start();
        }
    }

    /** Queues a received message; never blocks (called on a Lettuce I/O thread). */
    void message(byte[] channel, byte[] message) {
        lane(channel).offer(new Task(channel, message));
    }

    /** Queues an interruption of the channel behind the messages it already received; never blocks. */
    void interrupted(byte[] channel) {
        lane(channel).offer(new Task(channel, null));
    }

    private Lane lane(byte[] channel) {
        return lanes[Math.floorMod(Arrays.hashCode(channel), lanes.length)];
    }

    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.thread.interrupt();
        }
    }

    private static final class Lane implements Runnable {
        private final ArrayBlockingQueue<Task> queue;
        private final Set<String> dropped = ConcurrentHashMap.newKeySet();
        private final Sink sink;
        private final Thread thread;

        Lane(String name, int capacity, Sink sink) {
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.sink = sink;
            this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
        }

        void offer(Task task) {
            if (!queue.offer(task)) {
                String channel = new String(task.channel(), StandardCharsets.UTF_8);
                if (dropped.add(channel)) {
                    log.warn("delivery queue full: dropped a message of {}, the channel is reported interrupted",
                            channel);
                }
                // Queued after the add: if this fails too the lane is busy and sees the drop after its next task.
                queue.offer(WAKE);
            }
        }

        @Override
        public void run() {
            while (!Thread.currentThread().isInterrupted()) {
                Task task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (task != WAKE) {
                    handle(task);
                }
                if (!dropped.isEmpty()) {
                    reportDropped();
                }
            }
        }

        private void handle(Task task) {
            String channel = new String(task.channel(), StandardCharsets.UTF_8);
            try {
                if (task.message() == null) {
                    sink.interrupted(channel);
                } else {
                    sink.deliver(channel, task.message());
                }
            } catch (RuntimeException e) {
                log.warn("delivering a message of {} failed", channel, e);
            }
        }

        private void reportDropped() {
            for (Iterator<String> it = dropped.iterator(); it.hasNext(); ) {
                String channel = it.next();
                it.remove();
                try {
                    sink.interrupted(channel);
                } catch (RuntimeException e) {
                    log.warn("reporting {} interrupted failed", channel, e);
                }
            }
        }
    }
}
