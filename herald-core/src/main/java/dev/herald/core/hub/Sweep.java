package dev.herald.core.hub;

import dev.herald.core.telemetry.Telemetry;

import java.util.List;

/**
 * The deliveries in progress for one channel's subscribers on one event loop, handed out by a cursor that walks the
 * subscriber snapshot round and round. A publication joins at the cursor's position and is done once the cursor has
 * been all the way round; each visit writes everything that joined since that subscriber's previous visit, in order,
 * so a connection gets at most one write per round however many publications arrived, and a new publication waits
 * at most one round (not the rest of the current round plus a whole one) to reach any subscriber.
 *
 * <p>Executor thread only.
 */
final class Sweep {
    private final Object channel;
    private final Subscriber[] subscribers;
    private int cursor;
    /** Publications in progress, oldest first, as a ring of {@code size} entries from {@code head}. */
    private Active[] ring = new Active[8];
    private int head;
    private int size;

    private static final class Active {
        final EncodedEvent event;
        final boolean joinLeave;
        /** Subscribers not visited yet since this publication joined. */
        int remaining;
        int sent;

        Active(EncodedEvent event, int remaining) {
            this.event = event;
            this.joinLeave = event.joinLeave();
            this.remaining = remaining;
        }
    }

    Sweep(Object channel, Subscriber[] subscribers) {
        this.channel = channel;
        this.subscribers = subscribers;
    }

    /** The hub's key for the channel's subscriber group on this loop. */
    Object channel() {
        return channel;
    }

    Subscriber[] subscribers() {
        return subscribers;
    }

    boolean done() {
        return size == 0;
    }

    void add(EncodedEvent event) {
        if (subscribers.length == 0) {
            return;
        }
        if (size == ring.length) {
            Active[] grown = new Active[ring.length * 2];
            for (int i = 0; i < size; i++) {
                grown[i] = ring[(head + i) % ring.length];
            }
            ring = grown;
            head = 0;
        }
        ring[(head + size) % ring.length] = new Active(event, subscribers.length);
        size++;
    }

    /**
     * Visits up to {@code budget} subscribers from the cursor on (fewer once every publication is done), adding the
     * sessions it wrote to {@code dirty} (once each, by {@link HubSession#markDirty}).
     *
     * @return the subscribers visited
     */
    int advance(int budget, List<HubSession> dirty, Telemetry telemetry) {
        int visits = 0;
        while (visits < budget && size > 0) {
            visit(subscribers[cursor], dirty);
            cursor = cursor + 1 == subscribers.length ? 0 : cursor + 1;
            visits++;
            while (size > 0 && ring[head].remaining == 0) {
                Active finished = ring[head];
                ring[head] = null;
                head = (head + 1) % ring.length;
                size--;
                telemetry.messagesSent(finished.event.event().kind(), finished.sent);
            }
        }
        return visits;
    }

    private void visit(Subscriber sub, List<HubSession> dirty) {
        HubSession session = sub.session();
        WireFormat format = session.wireFormat();
        boolean wrote = false;
        for (int i = 0, slot = head; i < size; i++, slot = slot + 1 == ring.length ? 0 : slot + 1) {
            Active active = ring[slot];
            active.remaining--;
            if (active.joinLeave && !sub.pushJoinLeave()) {
                continue;
            }
            EncodedEvent event = active.event;
            if (sub.deliver(event.bytes(format), event.offset())) {
                active.sent++;
                wrote = true;
            }
        }
        if (wrote && session.markDirty()) {
            dirty.add(session);
        }
    }
}
