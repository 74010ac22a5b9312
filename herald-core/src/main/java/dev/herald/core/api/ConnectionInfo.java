package dev.herald.core.api;

import dev.herald.core.session.SessionView;
import dev.herald.core.session.SubscriptionView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of one connection as the sessions API reports it (seeds 000, 001, 002). Empty strings, zero times and
 * null meta mean "not set" and are left out of every wire shape. {@code meta} is raw JSON and is shown only to the
 * server API, never to clients.
 *
 * @param channels           the connection's subscriptions, sorted
 * @param subscriptionTokens {@code jti}/{@code iat} of the subscription tokens used, by channel (sorted); only
 *                           channels subscribed with a token that had one of them
 */
public record ConnectionInfo(String client, String user, String appName, String appVersion, String transport,
                             String protocol, long connectedAtMillis, String tokenId, long tokenIssuedAt,
                             byte[] meta, List<String> channels, Map<String, TokenInfo> subscriptionTokens) {

    /** {@code jti} (empty when absent) and {@code iat} (Unix seconds, 0 when absent) of a token. */
    public record TokenInfo(String uid, long issuedAt) {
        public boolean isEmpty() {
            return uid.isEmpty() && issuedAt == 0;
        }
    }

    /** Reads a session's current state; safe from any thread (the session publishes immutable values). */
    public static ConnectionInfo of(SessionView session) {
        Map<String, ? extends SubscriptionView> subs = session.subscriptions();
        List<String> channels = new ArrayList<>(subs.keySet());
        Collections.sort(channels);
        Map<String, TokenInfo> tokens = new TreeMap<>();
        for (SubscriptionView sub : subs.values()) {
            TokenInfo token = new TokenInfo(nonNull(sub.tokenId()), sub.tokenIssuedAt());
            if (!token.isEmpty()) {
                tokens.put(sub.channel(), token);
            }
        }
        return new ConnectionInfo(session.id(), nonNull(session.user()), nonNull(session.appName()),
                nonNull(session.appVersion()), session.transportName(), session.protocolName(),
                session.connectedAtMillis(), nonNull(session.tokenId()), session.tokenIssuedAt(), session.meta(),
                List.copyOf(channels), Collections.unmodifiableMap(tokens));
    }

    /** The connection token's {@code jti}/{@code iat}. */
    public TokenInfo connectionToken() {
        return new TokenInfo(tokenId, tokenIssuedAt);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
