package dev.herald.core.time;

import java.time.Instant;
import java.time.ZoneId;

/** A {@link Clock} seen as a {@link java.time.Clock}; see {@link Clock#asJavaClock()}. */
final class JavaClock extends java.time.Clock {
    private final Clock clock;
    private final ZoneId zone;

    JavaClock(Clock clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public java.time.Clock withZone(ZoneId zone) {
        return new JavaClock(clock, zone);
    }

    @Override
    public long millis() {
        return clock.millis();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(clock.millis());
    }
}
