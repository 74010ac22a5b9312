package dev.herald.core.time;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} on a {@link ManualClock}, for tests and tools: nothing runs until {@link #advance} is
 * called, and then the tasks that fall due run on the calling thread, in order of due time (ties in the order
 * they were scheduled), each with the clock set to its due time. A task that schedules another task due within
 * the same advance sees it run in that advance too, so "advance 30 s" runs a 10 s periodic task three times.
 *
 * <p>Tasks may be scheduled and cancelled from any thread; {@link #advance} is meant to be called from one thread
 * at a time (the test's). A task that throws stops the advance and the exception reaches the caller, with the
 * clock at that task's due time and the later tasks still pending.
 */
public final class ManualScheduler implements Scheduler {
    private final ManualClock clock;
    /** Guarded by {@code this}; cancelled tasks are removed at once, so every entry is live. */
    private final PriorityQueue<Entry> queue = new PriorityQueue<>(
            Comparator.comparingLong(Entry::dueNanos).thenComparingLong(Entry::sequence));
    private long sequence;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** On a new {@link ManualClock} at {@link ManualClock#DEFAULT_START_MILLIS}. */
    public ManualScheduler() {
        this(new ManualClock());
    }

    /** The clock this scheduler moves; hand it to whatever this scheduler is handed to. */
    public ManualClock clock() {
        return clock;
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Entry entry;
        synchronized (this) {
            entry = new Entry(clock.nanos() + unit.toNanos(Math.max(delay, 0)), sequence++, task);
            queue.add(entry);
        }
        return () -> {
            synchronized (this) {
                queue.remove(entry);
            }
        };
    }

    /**
     * Moves the clock forward by {@code duration}, running every task due by then in order; returns how many
     * ran. {@code advance(Duration.ZERO)} runs the tasks already due (those scheduled with no delay).
     */
    public int advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + duration);
        }
        long target = clock.nanos() + duration.toNanos();
        int ran = 0;
        while (true) {
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.dueNanos > target) {
                    break;
                }
                queue.poll();
            }
            // Outside the lock: the task may schedule or cancel (its own session re-arms its timer).
            clock.advanceTo(next.dueNanos);
            next.task.run();
            ran++;
        }
        clock.advanceTo(target);
        return ran;
    }

    /** Runs the tasks already due without moving the clock; returns how many ran. */
    public int runDue() {
        return advance(Duration.ZERO);
    }

    /** How many tasks are scheduled and neither run nor cancelled. */
    public synchronized int pending() {
        return queue.size();
    }

    /** How long until the earliest pending task is due (zero if it is overdue), or null if none is pending. */
    public synchronized Duration untilNext() {
        Entry next = queue.peek();
        return next == null ? null : Duration.ofNanos(Math.max(0, next.dueNanos - clock.nanos()));
    }

    /** One pending task; {@code sequence} is unique, so cancelling removes exactly this entry. */
    private record Entry(long dueNanos, long sequence, Runnable task) {
    }
}
