package dev.herald.protocol;

import java.util.List;
import java.util.Map;

/** The success part of a {@link Reply}, one kind per command. Zero/false/null fields are omitted on the wire. */
public sealed interface Result {

    /**
     * Connect result; also the body of the unidirectional {@code connect} push.
     * {@code time} is Unix milliseconds, 0 when not included.
     */
    record Connect(String client, String version, boolean expires, int ttl, byte[] data,
                   Map<String, Result.Subscribe> subs, int ping, boolean pong, String session, String node, long time)
            implements Result, PushBody {
    }

    record Subscribe(boolean expires, int ttl, boolean recoverable, String epoch, long offset,
                     List<Publication> publications, boolean recovered, boolean positioned, byte[] data,
                     boolean wasRecovering, boolean delta) implements Result {
    }

    record Unsubscribe() implements Result {
    }

    record Publish() implements Result {
    }

    /** {@code presence} is always written, even when empty. */
    record Presence(Map<String, ClientInfo> presence) implements Result {
    }

    /** Both counts are always written. */
    record PresenceStats(int numClients, int numUsers) implements Result {
    }

    /** {@code publications}, {@code epoch} and {@code offset} are always written. */
    record History(List<Publication> publications, long offset, String epoch) implements Result {
    }

    record Ping() implements Result {
    }

    record Rpc(byte[] data) implements Result {
    }

    record Refresh(String client, String version, boolean expires, int ttl) implements Result {
    }

    record SubRefresh(boolean expires, int ttl) implements Result {
    }
}
