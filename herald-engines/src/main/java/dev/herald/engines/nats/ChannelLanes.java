package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Per-channel ordered workers for what a client library's delivery thread hands off: {@code n} lanes, each one
 * thread with a bounded queue, a channel always on the same lane (by hash), so one channel's deliveries run in
 * arrival order and a slow channel holds up only its lane.
 *
 * <p>{@link #execute} never blocks: when the lane's queue is full the task is dropped and the channel is marked
 * lost; the lane reports each lost channel once ({@code onLost}, on the lane's thread) right after the next task it
 * runs, so the node learns soon that this channel missed something.
 */
final class ChannelLanes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelLanes.class);
    /** Wakes a lane that has lost channels to report; runs nothing itself. */
    private static final Runnable WAKE = () -> {
    };

    private final Lane[] lanes;
    private final Consumer<ChannelKey> onLost;

    /**
     * @param name     thread name prefix
     * @param count    number of lanes (threads)
     * @param capacity tasks a lane holds before it drops
     * @param onLost   told, on the lane's thread, of each channel that lost a task
     */
    ChannelLanes(String name, int count, int capacity, Consumer<ChannelKey> onLost) {
        if (count < 1 || capacity < 1) {
            throw new IllegalArgumentException("lanes and capacity must be positive");
        }
        this.onLost = onLost;
        this.lanes = new Lane[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new Lane(name + "-" + i, capacity);
            lanes[i].thread.start();
        }
    }

    /** Queues {@code task} on the channel's lane; false when it was dropped (the lane is full or closed). */
    boolean execute(ChannelKey channel, Runnable task) {
        Lane lane = lanes[Math.floorMod(channel.hashCode(), lanes.length)];
        if (lane.queue.offer(task)) {
            return true;
        }
        lane.lost.add(channel);
        // If the lane emptied between the failed offer and the mark, nothing would wake it to report: offer a
        // no-op. If that fails too, the queue is still full and the lane will look at the marks after its next task.
        lane.queue.offer(WAKE);
        return false;
    }

    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.running = false;
            lane.thread.interrupt();
        }
    }

    /** One worker thread and its queue. */
    private final class Lane implements Runnable {
        final BlockingQueue<Runnable> queue;
        final Set<ChannelKey> lost = ConcurrentHashMap.newKeySet();
        final Thread thread;
        volatile boolean running = true;

        Lane(String name, int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
        }

        @Override
        public void run() {
            while (running) {
                Runnable task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                runSafely(task);
                if (!lost.isEmpty()) {
                    reportLost();
                }
            }
        }

        private void reportLost() {
            for (ChannelKey channel : lost) {
                lost.remove(channel);
                runSafely(() -> onLost.accept(channel));
            }
        }

        private void runSafely(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("channel lane task failed", e);
            }
        }
    }
}
