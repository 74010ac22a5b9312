package dev.herald.core.client;

import dev.herald.core.auth.SubscribeOptions;

import java.util.List;
import java.util.Map;

/**
 * Who a connection is, from a token, a connect proxy or anonymous access. {@code source} is the subscription source
 * for its server-side channels (1 = connection token, 2 = connect proxy).
 */
record Credentials(String user, long expireAt, byte[] info, byte[] meta, byte[] data, String tokenId,
                   long tokenIssuedAt, List<String> channels, Map<String, SubscribeOptions> subs, int source,
                   boolean fromToken) {

    static Credentials anonymous() {
        return new Credentials("", 0, null, null, null, null, 0, List.of(), Map.of(), 0, false);
    }
}
