package dev.herald.server.transport;

import dev.herald.core.time.Scheduler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;

import java.util.concurrent.TimeUnit;

/**
 * The one timer of the server: Netty's hashed wheel, ticking every 50 ms. A pending timeout is a small object in a
 * wheel bucket, so pings and expiry for 100k idle connections cost no threads and almost no memory.
 */
public final class WheelScheduler implements Scheduler, AutoCloseable {
    private final HashedWheelTimer timer =
            new HashedWheelTimer(r -> {
                Thread t = new Thread(r, "herald-timer");
                t.setDaemon(true);
                return t;
            }, 50, TimeUnit.MILLISECONDS, 1024);

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Task t = new Task(task);
        t.timeout = timer.newTimeout(t, delay, unit);
        return t;
    }

    /**
     * The wheel's task and its handle in one object (every idle connection keeps one pending): two lambdas, one
     * adapting the Runnable and one for the cancel handle, took twice the memory.
     */
    private static final class Task implements TimerTask, Cancellable {
        private final Runnable task;
        /** Set right after scheduling; volatile because a handle may be cancelled from another thread. */
        private volatile Timeout timeout;

        Task(Runnable task) {
            this.task = task;
        }

        @Override
        public void run(Timeout timeout) {
            task.run();
        }

        @Override
        public void cancel() {
            timeout.cancel();
        }
    }

    @Override
    public void close() {
        timer.stop();
    }
}
