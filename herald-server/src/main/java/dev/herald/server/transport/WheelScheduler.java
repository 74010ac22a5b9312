package dev.herald.server.transport;

import dev.herald.core.time.Scheduler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;

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
        Timeout timeout = timer.newTimeout(t -> task.run(), delay, unit);
        return timeout::cancel;
    }

    @Override
    public void close() {
        timer.stop();
    }
}
