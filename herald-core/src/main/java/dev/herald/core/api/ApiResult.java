package dev.herald.core.api;

import dev.herald.core.NodeInfo;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.ReplyError;

import java.util.List;
import java.util.Map;

/**
 * What a server API call returns. Bindings turn these into their wire form (the HTTP API writes Centrifugo's JSON
 * with empty optional fields left out); the executor knows nothing of wire formats.
 */
public sealed interface ApiResult {

    /** The {@code {}} result of subscribe, unsubscribe, disconnect, refresh and history_remove. */
    record Empty() implements ApiResult {
        public static final Empty INSTANCE = new Empty();
    }

    /** {@code offset} 0 and {@code epoch} "" when the channel keeps no history (the result is then {@code {}}). */
    record Publish(long offset, String epoch) implements ApiResult {
    }

    /** One channel's outcome in a broadcast: exactly one of {@code result} and {@code error} is set. */
    record PublishReply(Publish result, ReplyError error) {
    }

    record Broadcast(List<PublishReply> responses) implements ApiResult {
    }

    /** Presence entries by client id. */
    record Presence(Map<String, ClientInfo> presence) implements ApiResult {
    }

    record PresenceStats(int numClients, int numUsers) implements ApiResult {
    }

    record History(List<Publication> publications, long offset, String epoch) implements ApiResult {
    }

    /**
     * Channels with subscribers and their subscriber counts summed over the nodes. {@code missingNodes}: the
     * nodes that did not answer in time (empty = complete); the same holds for the listings below.
     */
    record Channels(Map<String, Integer> channels, List<String> missingNodes) implements ApiResult {
    }

    record Info(List<NodeInfo> nodes) implements ApiResult {
    }

    /** An RPC extension's answer, written as {@code {"data": ...}}. */
    record Rpc(ApiResult data) implements ApiResult {
    }

    /** Raw JSON, for RPC extensions that build their own answer. */
    record Raw(byte[] json) implements ApiResult {
    }

    /** One command's outcome in a batch: {@code method} names the reply field; one of result and error is set. */
    record BatchReply(String method, ApiResult result, ReplyError error) {
    }

    record Batch(List<BatchReply> replies) implements ApiResult {
    }

    /**
     * The {@code connections} result (seed 000): full entries with a {@code state}. {@code withUser} adds each
     * entry's user (when the call did not already name it); {@code nextCursor} is set when a page has more after it.
     */
    record Connections(Map<String, ConnectionInfo> connections, boolean withUser, String nextCursor,
                       List<String> missingNodes) implements ApiResult {
    }

    /** The {@code user_connections} result (seed 001): {@code {"connections": {id: flat entry}}}. */
    record UserConnections(Map<String, ConnectionInfo> connections, List<String> missingNodes) implements ApiResult {
    }

    /** The {@code getUserConnections} RPC data (seed 002): {@code {id: flat entry}} with no wrapper. */
    record ConnectionMap(Map<String, ConnectionInfo> connections, List<String> missingNodes) implements ApiResult {
    }
}
