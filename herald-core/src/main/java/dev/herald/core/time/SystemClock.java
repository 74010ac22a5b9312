package dev.herald.core.time;

/** The machine's clocks; an enum so there is exactly one and it holds no state. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }
}
