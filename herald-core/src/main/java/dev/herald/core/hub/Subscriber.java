package dev.herald.core.hub;

/**
 * One connection's membership of one channel, as the hub fans out to it. The hub calls {@link #deliver} on the
 * session's executor only.
 */
public interface Subscriber {

    HubSession session();

    /** The channel's name inside the session's app. */
    String channel();

    /** Whether join and leave events reach this subscriber. */
    boolean pushJoinLeave();

    /**
     * Queues one encoded event without flushing (executor thread). Returns true if bytes were written; the hub
     * then flushes the session once per batch.
     */
    boolean deliver(byte[] element, long offset);

    /**
     * Publications of the channel may have been lost before they reached this node (the broker's subscription was
     * interrupted). A subscriber that knows its stream position checks it and tells its client when something is
     * missing; one that does not (at-most-once delivery) has nothing to check. Any thread; must not block.
     */
    default void streamInterrupted() {
    }

    /** Index inside the hub's group of this channel on this executor; owned by the hub under the channel's lock. */
    int hubIndex();

    void hubIndex(int index);
}
