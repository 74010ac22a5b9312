package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.protocol.ClientInfo;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Who is in a channel, keyed by client id. */
public interface PresenceManager {

    CompletionStage<Map<String, ClientInfo>> presence(ChannelKey channel);

    CompletionStage<PresenceStats> presenceStats(ChannelKey channel);

    CompletionStage<Void> addPresence(ChannelKey channel, String clientId, ClientInfo info);

    CompletionStage<Void> removePresence(ChannelKey channel, String clientId, String user);

    default void close() {
    }

    /** Distinct clients and distinct users present. */
    record PresenceStats(int numClients, int numUsers) {
    }
}
