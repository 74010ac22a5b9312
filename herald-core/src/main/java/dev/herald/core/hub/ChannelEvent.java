package dev.herald.core.hub;

import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;

/**
 * What the hub fans out to a channel's subscribers, before any wire format: each {@link WireFormat} turns it into
 * its own bytes once per event.
 */
public sealed interface ChannelEvent {

    /** The kind for metrics: {@code publication}, {@code join} or {@code leave}. */
    String kind();

    /** A publication; its offset is 0 for channels without history. */
    record Published(Publication publication) implements ChannelEvent {
        @Override
        public String kind() {
            return "publication";
        }
    }

    /** A subscriber joined; delivered only to subscribers that asked for join/leave. */
    record Joined(ClientInfo info) implements ChannelEvent {
        @Override
        public String kind() {
            return "join";
        }
    }

    /** A subscriber left; delivered only to subscribers that asked for join/leave. */
    record Left(ClientInfo info) implements ChannelEvent {
        @Override
        public String kind() {
            return "leave";
        }
    }
}
