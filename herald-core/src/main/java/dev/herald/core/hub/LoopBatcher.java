package dev.herald.core.hub;

import dev.herald.core.Telemetry;
import dev.herald.core.client.ClientSession;
import dev.herald.core.client.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands deliveries to one connection executor (event loop) in batches: a publication for N subscribers on this
 * loop costs one task, not N, and every connection touched by a batch is flushed once at its end. Deliveries that
 * arrive while the loop is busy join the next batch, so writes per delivery fall as load rises.
 */
final class LoopBatcher implements Runnable {
    /** Upper bound of deliveries drained in one run, so one busy channel cannot starve the loop's reads. */
    private static final int MAX_BATCH = 256;

    private final Executor executor;
    private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<ClientSession> dirty = new ArrayList<>();

    private final Telemetry telemetry;

    LoopBatcher(Executor executor, Telemetry telemetry) {
        this.executor = executor;
        this.telemetry = telemetry;
    }

    void submit(Subscription[] subscribers, EncodedPush push, boolean joinLeave) {
        queue.add(new Delivery(subscribers, push, joinLeave));
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        int drained = 0;
        Delivery delivery;
        while (drained < MAX_BATCH && (delivery = queue.poll()) != null) {
            drained++;
            deliver(delivery);
        }
        for (ClientSession session : dirty) {
            session.flushBatch();
        }
        dirty.clear();
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            executor.execute(this);
        }
    }

    private void deliver(Delivery delivery) {
        EncodedPush push = delivery.push();
        int sent = 0;
        for (Subscription sub : delivery.subscribers()) {
            if (delivery.joinLeave() && !sub.pushJoinLeave()) {
                continue;
            }
            ClientSession session = sub.session();
            byte[] bytes = push.bytes(session.transport().protocol(), session.transport().unidirectional());
            if (sub.deliver(bytes, push.offset())) {
                sent++;
                if (session.markDirty()) {
                    dirty.add(session);
                }
            }
        }
        telemetry.messagesSent(push.kind(), sent);
    }

    private record Delivery(Subscription[] subscribers, EncodedPush push, boolean joinLeave) {
    }
}
