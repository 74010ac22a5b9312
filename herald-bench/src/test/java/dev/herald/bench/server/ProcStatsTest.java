package dev.herald.bench.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A cluster's server CPU is its nodes' samples summed. */
class ProcStatsTest {
    @Test
    void sumAddsCountersAndKeepsTheLastTime() {
        ProcStats.Sample a = new ProcStats.Sample(100, 10, 20, 1_000, 5, 7);
        ProcStats.Sample b = new ProcStats.Sample(150, 1, 2, 500, 3, 4);
        assertEquals(new ProcStats.Sample(150, 11, 22, 1_500, 8, 11), ProcStats.sum(List.of(a, b)));
    }

    @Test
    void unreadableWriteCountsMakeTheSumUnknown() {
        ProcStats.Sample a = new ProcStats.Sample(100, 10, 20, 1_000, 5, -1);
        ProcStats.Sample b = new ProcStats.Sample(150, 1, 2, 500, 3, 4);
        assertEquals(-1, ProcStats.sum(List.of(b, a)).writeCalls());
        assertEquals(-1, ProcStats.sum(List.of(a, b)).writeCalls());
    }
}
