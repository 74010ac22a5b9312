package dev.herald.e2e.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waits on a condition another process makes true (a delivery, a node dropping out of the registry): the
 * condition is polled every 25 ms until it holds or the bound passes, and the failure names what was awaited and
 * the last state seen.
 */
public final class Await {
    private Await() {
    }

    /** Waits until {@code condition} holds, at most {@code bound}; fails naming {@code what}. */
    public static void until(Duration bound, String what, BooleanSupplier condition) {
        until(bound, what, condition, () -> "");
    }

    /** As {@link #until(Duration, String, BooleanSupplier)}, adding {@code state} to the failure message. */
    public static void until(Duration bound, String what, BooleanSupplier condition, Supplier<?> state) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound.toMillis() + " ms: " + what + "; last seen: "
                        + state.get());
            }
            pause(25);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
