package dev.herald.core.time;

import java.util.concurrent.TimeUnit;

/**
 * One shared timer for every connection's pings, pong deadlines and expiry, so an idle connection holds no
 * thread and at most one pending timeout. Tasks run on the timer's thread: they must only hand work off.
 */
public interface Scheduler {

    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A scheduled task that can be cancelled; cancelling a task that already ran is a no-op. */
    interface Cancellable {
        void cancel();
    }
}
