package dev.herald.core.client;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.hub.Subscriber;
import dev.herald.core.session.SubscriptionView;
import dev.herald.protocol.ClientInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's subscription to one channel: what the hub delivers to, and what the sessions API reports.
 * Immutable except for the delivery buffer used while a subscription is being recovered, and the expiry that a
 * {@code sub_refresh} moves; both are touched only on the owning connection's executor.
 */
public final class Subscription implements Subscriber, SubscriptionView {
    private final ClientSession session;
    private final String channel;
    private final ClientInfo info;
    private final boolean pushJoinLeave;
    private final boolean presence;
    private final boolean serverSide;
    private final boolean positioned;
    /** Set on the executor when a delivery skipped offsets; the subscription is then being removed. */
    private boolean gap;
    private final boolean recoverable;
    private final String tokenId;
    private final long tokenIssuedAt;
    private final int source;
    private volatile long expireAt;
    /** Index of this subscription inside its hub group; owned by the hub under the channel's lock. */
    int hubIndex = -1;
    /** Non-null while the subscribe reply is being prepared: publications wait here, in order. */
    private List<Held> pending;
    private long lastOffset;
    /** Stream epoch the subscription is positioned in; executor thread. */
    private String epoch;
    /** Stream top seen by the previous position check; executor thread. */
    private long checkedTop;

    Subscription(ClientSession session, String channel, ClientInfo info, boolean pushJoinLeave, boolean presence,
                 boolean serverSide, boolean positioned, boolean recoverable, String tokenId, long tokenIssuedAt,
                 int source, long expireAt) {
        this.session = session;
        this.channel = channel;
        this.info = info;
        this.pushJoinLeave = pushJoinLeave;
        this.presence = presence;
        this.serverSide = serverSide;
        this.positioned = positioned;
        this.recoverable = recoverable;
        this.tokenId = tokenId;
        this.tokenIssuedAt = tokenIssuedAt;
        this.source = source;
        this.expireAt = expireAt;
    }

    @Override
    public ClientSession session() {
        return session;
    }

    @Override
    public String channel() {
        return channel;
    }

    /** The channel in the session's app, as the broker and presence key it. */
    public ChannelKey key() {
        return new ChannelKey(session.app(), channel);
    }

    /** Client info as other subscribers see it (join/leave, presence, client publications). */
    public ClientInfo info() {
        return info;
    }

    @Override
    public boolean pushJoinLeave() {
        return pushJoinLeave;
    }

    public boolean presence() {
        return presence;
    }

    public boolean serverSide() {
        return serverSide;
    }

    public boolean positioned() {
        return positioned;
    }

    public boolean recoverable() {
        return recoverable;
    }

    /** {@code jti} of the subscription token, or null when subscribed without one. */
    @Override
    public String tokenId() {
        return tokenId;
    }

    @Override
    public long tokenIssuedAt() {
        return tokenIssuedAt;
    }

    /** How the subscription was made, with Centrifugo's numbering (3 = subscription token, 10 = server API...). */
    public int source() {
        return source;
    }

    public long expireAt() {
        return expireAt;
    }

    void expireAt(long expireAt) {
        this.expireAt = expireAt;
    }

    @Override
    public int hubIndex() {
        return hubIndex;
    }

    @Override
    public void hubIndex(int index) {
        this.hubIndex = index;
    }

    /** Starts holding deliveries back until {@link #release} (runs on the session's executor). */
    void hold() {
        pending = new ArrayList<>();
    }

    /**
     * Stops holding back and writes what arrived meanwhile, skipping publications the reply already carried.
     * Runs on the session's executor.
     */
    void release(long deliveredUpTo) {
        List<Held> held = pending;
        pending = null;
        if (held == null) {
            return;
        }
        lastOffset = Math.max(lastOffset, deliveredUpTo);
        for (Held h : held) {
            if (h.offset() == 0 || h.offset() > deliveredUpTo) {
                session.transport().writeBuffered(h.element());
                // what was written is the connection's position, or the next delivery would look like a gap
                lastOffset = Math.max(lastOffset, h.offset());
            }
        }
        session.transport().flush();
    }

    /**
     * Delivers one encoded publication without flushing; runs on the session's executor. Returns true if bytes were
     * written (the caller then flushes the transport once per batch).
     */
    @Override
    public boolean deliver(byte[] element, long offset) {
        if (pending != null) {
            pending.add(new Held(offset, element));
            return false;
        }
        if (offset != 0 && positioned() && lastOffset != 0 && offset <= lastOffset) {
            // Already delivered: a publication still in flight from the broker when a recovery's history read
            // (which carried it) completed. Centrifugo skips these too.
            return false;
        }
        if (offset != 0 && positioned() && lastOffset != 0 && offset != lastOffset + 1) {
            // Centrifugo's rule: a positioned subscription takes only the next offset. Anything else means
            // publications were lost on the way (a broker connection that dropped them) or the stream was reset;
            // writing this one would move the client's recovery position past the lost ones, so nothing more is
            // written and the client is told at once (2500 / 3010), to recover from its last offset.
            if (!gap) {
                gap = true;
                session.onLoop(() -> session.shared().subscribeCommands.insufficientState(session, this));
            }
            return false;
        }
        if (offset != 0) {
            lastOffset = offset;
        }
        if (session.closed()) {
            return false;
        }
        session.transport().writeBuffered(element);
        return true;
    }

    /** The broker's subscription was interrupted: a positioned subscription checks its stream at once. */
    @Override
    public void streamInterrupted() {
        if (positioned()) {
            session.onLoop(() -> session.shared().subscribeCommands.checkAfterInterruption(session, this));
        }
    }

    void epoch(String epoch) {
        this.epoch = epoch;
    }

    /**
     * Compares this subscription's position with its stream. A publication that was already in the stream at the
     * previous check and has still not reached the connection is lost (one check interval leaves in-flight
     * deliveries time to land); so is a changed epoch. Executor thread.
     *
     * @return false when a publication was lost
     */
    boolean positionValid(long topOffset, String topEpoch) {
        if (epoch != null && !epoch.isEmpty() && !epoch.equals(topEpoch)) {
            return false;
        }
        boolean valid = checkedTop == 0 || lastOffset >= checkedTop;
        checkedTop = topOffset;
        return valid;
    }

    /** Last publication offset delivered on this subscription (0 when unknown). */
    public long lastOffset() {
        return lastOffset;
    }

    private record Held(long offset, byte[] element) {
    }
}
