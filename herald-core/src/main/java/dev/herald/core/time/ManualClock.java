package dev.herald.core.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when told to: for tests and tools (simulations, deterministic replays), never
 * for a serving node. Wall and monotonic time move together, so an elapsed time measured with {@link #nanos()}
 * equals the distance {@link #millis()} moved. Readable from any thread.
 *
 * <p>Usually owned by a {@link ManualScheduler}, whose {@code advance} moves it and runs the timers that fall
 * due; moving this clock directly runs no timer.
 */
public final class ManualClock implements Clock {
    /** 2023-11-14T22:13:20Z: a fixed, recent start, so runs are reproducible and epoch seconds look real. */
    public static final long DEFAULT_START_MILLIS = 1_700_000_000_000L;

    private final long startMillis;
    /** Nanoseconds since the start; only grows, so {@link #nanos()} is monotonic. */
    private final AtomicLong elapsedNanos = new AtomicLong();

    public ManualClock(long startMillis) {
        this.startMillis = startMillis;
    }

    public ManualClock() {
        this(DEFAULT_START_MILLIS);
    }

    @Override
    public long millis() {
        return startMillis + elapsedNanos.get() / 1_000_000;
    }

    @Override
    public long nanos() {
        return elapsedNanos.get();
    }

    /** Moves both readings forward by {@code duration} (zero or positive: time never goes back). */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + duration);
        }
        elapsedNanos.addAndGet(duration.toNanos());
    }

    /** Moves the monotonic reading to {@code nanos} if it is later than now; for the owning scheduler. */
    void advanceTo(long nanos) {
        elapsedNanos.accumulateAndGet(nanos, Math::max);
    }
}
