package dev.herald.protocol;

import java.util.Map;

/**
 * A publication in a channel. {@code info} is set when a client published it; {@code offset} is 0 for channels
 * without history; {@code time} is Unix milliseconds or 0; {@code tags} may be null.
 */
public record Publication(byte[] data, ClientInfo info, long offset, Map<String, String> tags, boolean delta,
                          long time, String channel) implements PushBody {

    public Publication withOffset(long newOffset) {
        return new Publication(data, info, newOffset, tags, delta, time, channel);
    }
}
