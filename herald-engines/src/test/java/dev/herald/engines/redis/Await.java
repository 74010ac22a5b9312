package dev.herald.engines.redis;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for a condition another thread makes true, failing after a bound instead of hanging. */
final class Await {
    static final Duration BOUND = Duration.ofSeconds(15);

    private Await() {
    }

    static void until(BooleanSupplier condition, String what) {
        until(condition, BOUND, what);
    }

    static void until(BooleanSupplier condition, Duration bound, String what) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + bound + ": " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
