package dev.herald.core.hub;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One way of putting a {@link ChannelEvent} on the wire (Centrifugo JSON, Centrifugo protobuf, their
 * unidirectional forms, Pusher JSON, ...). A format is a constant defined once by the protocol that owns it; the
 * hub encodes an event at most once per format present in the channel and shares the bytes with every subscriber
 * taking that format.
 *
 * <p>Each format gets a small slot number when it is created, which the hub uses to index its per-event encodings
 * and per-channel counts without a map. Formats are constants (static finals), so slots stay few: at most
 * {@link #MAX_FORMATS}.
 */
public abstract class WireFormat {
    /** Upper bound on formats in one process: the hub keeps a bit per format in an int mask. */
    public static final int MAX_FORMATS = 32;
    private static final AtomicInteger NEXT_SLOT = new AtomicInteger();

    private final String name;
    private final int slot;

    protected WireFormat(String name) {
        this.name = name;
        this.slot = NEXT_SLOT.getAndIncrement();
        if (slot >= MAX_FORMATS) {
            throw new IllegalStateException("more than " + MAX_FORMATS + " wire formats: " + name);
        }
    }

    /**
     * The framed element for one event in {@code channel} (the channel's name as this protocol shows it). Called
     * from the publishing thread; must be thread-safe and return bytes that are never modified afterwards.
     */
    public abstract byte[] encode(String channel, ChannelEvent event);

    /** This format's index in the hub's per-event and per-channel tables. */
    final int slot() {
        return slot;
    }

    /** Number of slots handed out so far. */
    static int slots() {
        return NEXT_SLOT.get();
    }

    public final String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
