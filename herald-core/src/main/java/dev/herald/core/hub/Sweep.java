package dev.herald.core.hub;

import dev.herald.core.Telemetry;
import dev.herald.core.client.ClientSession;
import dev.herald.core.client.Subscription;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.Protocol;

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
    private final Subscription[] subscribers;
    private int cursor;
    /** Publications in progress, oldest first, as a ring of {@code size} entries from {@code head}. */
    private Active[] ring = new Active[8];
    private int head;
    private int size;

    private static final class Active {
        final EncodedPush push;
        final boolean joinLeave;
        /** Subscribers not visited yet since this publication joined. */
        int remaining;
        int sent;

        Active(EncodedPush push, boolean joinLeave, int remaining) {
            this.push = push;
            this.joinLeave = joinLeave;
            this.remaining = remaining;
        }
    }

    Sweep(Object channel, Subscription[] subscribers) {
        this.channel = channel;
        this.subscribers = subscribers;
    }

    /** The hub's key for the channel's subscriber group on this loop. */
    Object channel() {
        return channel;
    }

    Subscription[] subscribers() {
        return subscribers;
    }

    boolean done() {
        return size == 0;
    }

    void add(EncodedPush push, boolean joinLeave) {
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
        ring[(head + size) % ring.length] = new Active(push, joinLeave, subscribers.length);
        size++;
    }

    /**
     * Visits up to {@code budget} subscribers from the cursor on (fewer once every publication is done), adding the
     * sessions it wrote to {@code dirty} (once each, by {@link ClientSession#markDirty}).
     *
     * @return the subscribers visited
     */
    int advance(int budget, List<ClientSession> dirty, Telemetry telemetry) {
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
                telemetry.messagesSent(finished.push.kind(), finished.sent);
            }
        }
        return visits;
    }

    private void visit(Subscription sub, List<ClientSession> dirty) {
        ClientSession session = sub.session();
        Transport transport = session.transport();
        Protocol protocol = transport.protocol();
        boolean unidirectional = transport.unidirectional();
        boolean wrote = false;
        for (int i = 0, slot = head; i < size; i++, slot = slot + 1 == ring.length ? 0 : slot + 1) {
            Active active = ring[slot];
            active.remaining--;
            if (active.joinLeave && !sub.pushJoinLeave()) {
                continue;
            }
            EncodedPush push = active.push;
            if (sub.deliver(push.bytes(protocol, unidirectional), push.offset())) {
                active.sent++;
                wrote = true;
            }
        }
        if (wrote && session.markDirty()) {
            dirty.add(session);
        }
    }
}
