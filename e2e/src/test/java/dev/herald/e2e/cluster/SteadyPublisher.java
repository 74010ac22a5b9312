package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes {@code {"n": 1}, {"n": 2}, ...} to one channel through one node's HTTP API at a steady rate, one call
 * at a time (so the API's order is the publication order), and records which numbers the API acknowledged and
 * which it refused (an error reply, a non-200 answer or no answer).
 */
public final class SteadyPublisher implements AutoCloseable {
    private final HeraldProcess via;
    private final String channel;
    private final long periodNanos;
    private final List<Integer> succeeded = new CopyOnWriteArrayList<>();
    private final List<Integer> failed = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public SteadyPublisher(HeraldProcess via, String channel, int perSecond) {
        this.via = via;
        this.channel = channel;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.thread = Thread.ofPlatform().daemon().name("publisher-" + channel).start(this::run);
    }

    /** Stops after the call in flight and waits for it. */
    public void stop() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<Integer> succeeded() {
        return List.copyOf(succeeded);
    }

    public List<Integer> failed() {
        return List.copyOf(failed);
    }

    /** The distinct error answers seen, for the failure message. */
    public List<String> errors() {
        return errors.stream().distinct().toList();
    }

    @Override
    public void close() {
        stop();
    }

    private void run() {
        long next = System.nanoTime();
        for (int n = 1; running; n++) {
            try {
                JsonNode r = via.api("publish", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + n + "}}");
                if (r.has("error") || !r.has("result")) {
                    failed.add(n);
                    errors.add(r.path("error").toString());
                } else {
                    succeeded.add(n);
                }
            } catch (RuntimeException e) {
                failed.add(n);
                errors.add(e.getMessage());
            }
            // Pacing, not synchronisation: the next call starts one period after the previous one was due.
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }
}
