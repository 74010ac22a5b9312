package dev.herald.core.hub;

import dev.herald.core.Telemetry;
import dev.herald.core.client.ClientSession;
import dev.herald.core.client.Subscription;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands deliveries to one connection executor (event loop) in batches: a publication for N subscribers on this
 * loop costs one task, not N, and every connection touched by a batch is flushed once at its end. Deliveries that
 * arrive while the loop is busy join the next batch, so writes per delivery fall as load rises.
 *
 * <p>Consecutive deliveries to the same subscriber snapshot (publications into one channel) are handed out
 * connection by connection: each subscriber gets all of them in a row, so a backlog of k publications walks the
 * subscribers' objects once instead of k times. Per connection the order stays the order of submission.
 */
final class LoopBatcher implements Runnable {
    /** Upper bound of deliveries drained in one run, so one busy channel cannot starve the loop's reads. */
    private static final int MAX_BATCH = 256;

    private final Executor executor;
    private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<ClientSession> dirty = new ArrayList<>();
    /** The deliveries of the current run, and how many of each were written; executor thread only. */
    private final Delivery[] drained = new Delivery[MAX_BATCH];
    private final int[] sent = new int[MAX_BATCH];

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
        int count = 0;
        Delivery delivery;
        while (count < MAX_BATCH && (delivery = queue.poll()) != null) {
            drained[count++] = delivery;
        }
        for (int from = 0; from < count; ) {
            int to = from + 1;
            while (to < count && drained[to].subscribers() == drained[from].subscribers()) {
                to++;
            }
            deliver(from, to);
            from = to;
        }
        for (int i = 0; i < count; i++) {
            telemetry.messagesSent(drained[i].push().kind(), sent[i]);
        }
        Arrays.fill(drained, 0, count, null);
        for (ClientSession session : dirty) {
            session.flushBatch();
        }
        dirty.clear();
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            executor.execute(this);
        }
    }

    /** Delivers {@code drained[from..to)}, which share one subscriber snapshot, subscriber by subscriber. */
    private void deliver(int from, int to) {
        Arrays.fill(sent, from, to, 0);
        for (Subscription sub : drained[from].subscribers()) {
            ClientSession session = sub.session();
            Transport transport = session.transport();
            Protocol protocol = transport.protocol();
            boolean unidirectional = transport.unidirectional();
            boolean wrote = false;
            for (int i = from; i < to; i++) {
                Delivery delivery = drained[i];
                if (delivery.joinLeave() && !sub.pushJoinLeave()) {
                    continue;
                }
                EncodedPush push = delivery.push();
                if (sub.deliver(push.bytes(protocol, unidirectional), push.offset())) {
                    sent[i]++;
                    wrote = true;
                }
            }
            if (wrote && session.markDirty()) {
                dirty.add(session);
            }
        }
    }

    private record Delivery(Subscription[] subscribers, EncodedPush push, boolean joinLeave) {
    }
}
