package dev.herald.core.hub;

/**
 * One channel event encoded lazily, at most once per {@link WireFormat}, and shared by every receiving connection.
 * The hub encodes every format present in the channel before handing the event to the event loops, so loops only
 * read the array (the hand-off publishes it).
 */
final class EncodedEvent {
    private final String channel;
    private final ChannelEvent event;
    private final long offset;
    private byte[][] encodings;

    EncodedEvent(String channel, ChannelEvent event, long offset) {
        this.channel = channel;
        this.event = event;
        this.offset = offset;
        this.encodings = new byte[WireFormat.slots()][];
    }

    ChannelEvent event() {
        return event;
    }

    /** Stream offset of a publication, 0 otherwise. */
    long offset() {
        return offset;
    }

    boolean joinLeave() {
        return !(event instanceof ChannelEvent.Published);
    }

    byte[] bytes(WireFormat format) {
        int slot = format.slot();
        if (slot >= encodings.length) {
            // A format defined after this event was created (class initialisation order); rare and one-off.
            encodings = java.util.Arrays.copyOf(encodings, slot + 1);
        }
        byte[] encoded = encodings[slot];
        if (encoded == null) {
            encoded = format.encode(channel, event);
            encodings[slot] = encoded;
        }
        return encoded;
    }
}
