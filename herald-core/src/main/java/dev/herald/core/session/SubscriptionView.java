package dev.herald.core.session;

/** One subscription of a connection as the sessions API and its CEL filter see it. Safe from any thread. */
public interface SubscriptionView {

    String channel();

    /** {@code jti} of the subscription token, or null when subscribed without one. */
    String tokenId();

    /** {@code iat} of the subscription token (Unix seconds), 0 when absent. */
    long tokenIssuedAt();
}
