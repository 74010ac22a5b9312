package dev.herald.core.cluster;

import dev.herald.core.time.Scheduler;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A clock and scheduler that move only when a test says so: {@link #advance} runs every task due by then, in
 * due-time order (scheduling order among equals), with the clock set to each task's time as it runs. Tasks run
 * on the advancing thread; a task may schedule more, which run in the same advance if due.
 */
public final class ManualTime implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowNanos;
    private long sequence;

    private static final class Task implements Comparable<Task>, Cancellable {
        final long dueNanos;
        final long order;
        final Runnable body;
        volatile boolean cancelled;

        Task(long dueNanos, long order, Runnable body) {
            this.dueNanos = dueNanos;
            this.order = order;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int byDue = Long.compare(dueNanos, o.dueNanos);
            return byDue != 0 ? byDue : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /** The clock, in milliseconds since this time was made. */
    public synchronized long millis() {
        return TimeUnit.NANOSECONDS.toMillis(nowNanos);
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Task t = new Task(nowNanos + Math.max(0, unit.toNanos(delay)), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Moves the clock forward by {@code by}, running each task as its time comes. */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = nowNanos + by.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.dueNanos > target) {
                    nowNanos = target;
                    return;
                }
                tasks.poll();
                nowNanos = next.dueNanos;
            }
            if (!next.cancelled) {
                next.body.run();
            }
        }
    }

    public void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized long pending() {
        return tasks.stream().filter(t -> !t.cancelled).count();
    }
}
