package dev.herald.core.time;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The manual scheduler runs what falls due, in order, at its due time, and nothing else. */
class ManualSchedulerTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final ManualClock clock = scheduler.clock();
    private final long start = clock.millis();
    private final List<String> ran = new ArrayList<>();

    /** Records the task's name and the clock's offset from the start when it ran. */
    private Runnable task(String name) {
        return () -> ran.add(name + "@" + (clock.millis() - start));
    }

    @Test
    void nothingRunsUntilAdvancedThenDueTasksRunInOrderAtTheirDueTime() {
        scheduler.schedule(task("c"), 300, TimeUnit.MILLISECONDS);
        scheduler.schedule(task("a"), 100, TimeUnit.MILLISECONDS);
        scheduler.schedule(task("b"), 2, TimeUnit.SECONDS);
        assertEquals(List.of(), ran);
        assertEquals(2, scheduler.advance(Duration.ofMillis(1_999)));
        assertEquals(List.of("a@100", "c@300"), ran);
        assertEquals(1_999, clock.millis() - start, "the clock ends at the target, not the last task");
        assertEquals(Duration.ofMillis(1), scheduler.untilNext());
        assertEquals(1, scheduler.advance(Duration.ofMillis(1)));
        assertEquals(List.of("a@100", "c@300", "b@2000"), ran);
        assertNull(scheduler.untilNext());
    }

    @Test
    void tasksDueAtTheSameTimeRunInTheOrderTheyWereScheduled() {
        for (String name : List.of("1", "2", "3", "4")) {
            scheduler.schedule(task(name), 50, TimeUnit.MILLISECONDS);
        }
        scheduler.advance(Duration.ofMillis(50));
        assertEquals(List.of("1@50", "2@50", "3@50", "4@50"), ran);
    }

    @Test
    void aTaskScheduledByATaskRunsInTheSameAdvanceIfItFallsDue() {
        Runnable[] periodic = new Runnable[1];
        periodic[0] = () -> {
            task("tick").run();
            scheduler.schedule(periodic[0], 10, TimeUnit.SECONDS);
        };
        scheduler.schedule(periodic[0], 10, TimeUnit.SECONDS);
        assertEquals(3, scheduler.advance(Duration.ofSeconds(35)));
        assertEquals(List.of("tick@10000", "tick@20000", "tick@30000"), ran);
        assertEquals(1, scheduler.pending());
    }

    @Test
    void cancelledTasksNeverRunAndCancellingTwiceOrAfterRunningIsANoOp() {
        Scheduler.Cancellable first = scheduler.schedule(task("first"), 1, TimeUnit.SECONDS);
        Scheduler.Cancellable second = scheduler.schedule(task("second"), 1, TimeUnit.SECONDS);
        second.cancel();
        second.cancel();
        assertEquals(1, scheduler.pending());
        scheduler.advance(Duration.ofSeconds(5));
        first.cancel();
        assertEquals(List.of("first@1000"), ran);
        assertEquals(0, scheduler.pending());
    }

    @Test
    void zeroAndNegativeDelaysAreDueNowAndRunWithoutMovingTheClock() {
        scheduler.schedule(task("zero"), 0, TimeUnit.MILLISECONDS);
        scheduler.schedule(task("negative"), -5, TimeUnit.MILLISECONDS);
        assertEquals(2, scheduler.runDue());
        assertEquals(List.of("zero@0", "negative@0"), ran);
        assertEquals(start, clock.millis());
    }

    @Test
    void timeNeverGoesBackAndWallAndMonotonicMoveTogether() {
        long nanos = clock.nanos();
        scheduler.advance(Duration.ofMillis(1_500));
        clock.advance(Duration.ofNanos(500_000));
        assertEquals(1_500_500_000L, clock.nanos() - nanos);
        assertEquals(start + 1_500, clock.millis(), "wall millis move with whole elapsed milliseconds");
        assertThrows(IllegalArgumentException.class, () -> scheduler.advance(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
    }

    @Test
    void aThrowingTaskStopsTheAdvanceAtItsDueTimeAndLeavesLaterTasksPending() {
        scheduler.schedule(() -> {
            throw new IllegalStateException("boom");
        }, 1, TimeUnit.SECONDS);
        scheduler.schedule(task("later"), 2, TimeUnit.SECONDS);
        assertThrows(IllegalStateException.class, () -> scheduler.advance(Duration.ofSeconds(3)));
        assertEquals(start + 1_000, clock.millis());
        assertEquals(1, scheduler.pending());
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(List.of("later@2000"), ran);
    }
}
