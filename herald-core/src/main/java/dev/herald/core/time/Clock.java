package dev.herald.core.time;

/**
 * Where core code reads the time: session timers, expiry and TTLs, connection times, uptime. Injected through
 * the {@code Node} (and handed to the broker by the composition root), so tests can drive time with a
 * {@link ManualScheduler} instead of sleeping.
 *
 * <p>Command latency measurements for metrics read {@link System#nanoTime()} directly: they measure real work,
 * and a manual clock would only turn them into zeros.
 */
public interface Clock {

    /** Wall-clock time in epoch milliseconds (what expiry times and client-visible timestamps compare with). */
    long millis();

    /**
     * Monotonic time in nanoseconds from an arbitrary origin, for elapsed times that must not jump when the wall
     * clock is set (uptime). Only differences between two readings mean anything.
     */
    long nanos();

    /**
     * This clock as a {@link java.time.Clock} in UTC, for APIs that take one (the JWT verifier judges token
     * expiry with it), so they agree with the sessions about what time it is.
     */
    default java.time.Clock asJavaClock() {
        return new JavaClock(this, java.time.ZoneOffset.UTC);
    }

    /** The machine's clocks: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
