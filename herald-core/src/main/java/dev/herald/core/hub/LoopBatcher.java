package dev.herald.core.hub;

import dev.herald.core.telemetry.Telemetry;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands deliveries to one connection executor (event loop) in batches: a publication for N subscribers on this
 * loop costs one task, not N. Each channel's deliveries in progress form a {@link Sweep}: a cursor walks its
 * subscribers round and round and writes to each everything that arrived since its previous visit, so the frames
 * pending for a connection coalesce into one write, and writes per delivery fall as load rises.
 *
 * <p>A run visits at most {@link #VISITS_PER_RUN} subscribers, flushes the connections it wrote to, and then yields
 * to the loop's I/O before the next run (a scheduled task on an event loop runs after its next I/O poll): so the
 * loop keeps reading (publish requests, pings) during a large fan-out, and a publication that arrives meanwhile joins
 * the sweep in progress at the cursor instead of waiting for the round to end. Sweeps take turns, so one busy channel
 * cannot hold the others back.
 */
final class LoopBatcher implements Runnable {
    /** Deliveries taken from the queue per run. */
    private static final int MAX_DRAIN = 256;
    /** Subscriber visits (writes, at most) per run before yielding to I/O: a few milliseconds of work. */
    static final int VISITS_PER_RUN = 512;

    private final Executor executor;
    private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
    /** True while a run is queued or scheduled. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Sweeps in progress by channel (the hub's per-loop group), in turn order; executor thread only. */
    private final LinkedHashMap<Object, Sweep> sweeps = new LinkedHashMap<>();
    private final List<HubSession> dirty = new ArrayList<>();
    private final Telemetry telemetry;
    /** A run is in progress; executor thread only. */
    private boolean running;

    LoopBatcher(Executor executor, Telemetry telemetry) {
        this.executor = executor;
        this.telemetry = telemetry;
    }

    /**
     * Queues one push for the subscribers of a channel on this loop. {@code channel} identifies the channel's
     * subscriber group: its successive snapshots must come with the same key, so that deliveries stay in order.
     */
    void submit(Object channel, Subscriber[] subscribers, EncodedEvent event) {
        queue.add(new Delivery(channel, subscribers, event));
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        if (running) {
            // Re-entered through an executor that runs tasks in place (tests): the outer run picks the queue up.
            return;
        }
        running = true;
        try {
            runOnce();
        } finally {
            running = false;
        }
        if ((!sweeps.isEmpty() || !queue.isEmpty()) && scheduled.compareAndSet(false, true)) {
            yieldThenRun();
        }
    }

    private void runOnce() {
        Delivery delivery;
        for (int i = 0; i < MAX_DRAIN && (delivery = queue.poll()) != null; i++) {
            join(delivery);
        }
        int budget = VISITS_PER_RUN;
        Sweep backOfTheLine = null;
        for (Iterator<Sweep> it = sweeps.values().iterator(); it.hasNext() && budget > 0; ) {
            Sweep sweep = it.next();
            budget -= sweep.advance(budget, dirty, telemetry);
            it.remove();
            if (!sweep.done()) {
                // Out of budget inside this sweep: it goes to the back, so the next run starts with the others.
                backOfTheLine = sweep;
                break;
            }
        }
        if (backOfTheLine != null) {
            sweeps.put(backOfTheLine.channel(), backOfTheLine);
        }
        for (HubSession session : dirty) {
            session.flushBatch();
        }
        dirty.clear();
    }

    private void join(Delivery delivery) {
        Sweep sweep = sweeps.get(delivery.channel());
        if (sweep != null && sweep.subscribers() != delivery.subscribers()) {
            // The channel's membership changed: finish the older snapshot's deliveries first, so that each
            // connection still gets the channel's pushes in order.
            sweep.advance(Integer.MAX_VALUE, dirty, telemetry);
            sweeps.remove(delivery.channel());
            sweep = null;
        }
        if (sweep == null) {
            sweep = new Sweep(delivery.channel(), delivery.subscribers());
            sweeps.put(delivery.channel(), sweep);
        }
        sweep.add(delivery.event());
    }

    /** Runs again after the loop has polled its I/O (an event loop's scheduled tasks wait for that). */
    private void yieldThenRun() {
        if (executor instanceof ScheduledExecutorService loop) {
            loop.schedule(this, 0, TimeUnit.NANOSECONDS);
        } else {
            executor.execute(this);
        }
    }

    private record Delivery(Object channel, Subscriber[] subscribers, EncodedEvent event) {
    }
}
