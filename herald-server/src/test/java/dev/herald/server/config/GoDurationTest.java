package dev.herald.server.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoDurationTest {

    @Test
    void parsesGoSyntaxAndBareSeconds() {
        assertEquals(Duration.ofSeconds(25), GoDuration.parse("25s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofHours(168), GoDuration.parse("168h0m0s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofNanos(1_500), GoDuration.parse("1.5us"));
        assertEquals(Duration.ofNanos(2_000), GoDuration.parse("2µs"));
        assertEquals(Duration.ofSeconds(-120), GoDuration.parse("-2m"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofSeconds(30), GoDuration.parse("30"));
        assertEquals(Duration.ofSeconds(1, 1), GoDuration.parse("1s1ns"));
    }

    @Test
    void rejectsGarbage() {
        for (String bad : new String[] {"", "abc", "5", "1x", "s", "1..5s", "-", "1h-2m", "99999999999h"}) {
            if (bad.equals("5")) {
                continue; // bare integers are seconds
            }
            assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), bad);
        }
    }

    @Test
    void formatsLikeGo() {
        assertEquals("168h0m0s", GoDuration.format(Duration.ofSeconds(604800)));
        assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
        assertEquals("10m0s", GoDuration.format(Duration.ofMinutes(10)));
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("30s", GoDuration.format(Duration.ofSeconds(30)));
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("1.5ms", GoDuration.format(Duration.ofNanos(1_500_000)));
        assertEquals("2µs", GoDuration.format(Duration.ofNanos(2_000)));
        assertEquals("7ns", GoDuration.format(Duration.ofNanos(7)));
        assertEquals("-1m0s", GoDuration.format(Duration.ofMinutes(-1)));
        assertEquals("720h0m0s", GoDuration.format(Duration.ofHours(720)));
    }
}
