package dev.herald.core.auth;

import java.util.concurrent.CompletionStage;

/**
 * Verifies connection and subscription JWTs. Static keys (HMAC, RSA, ECDSA) complete at once; a JWKS endpoint may
 * complete later, off the caller's thread, so callers never block. Failures complete exceptionally with a
 * {@link TokenException}.
 */
public interface TokenVerifier {

    CompletionStage<ConnectToken> verifyConnectToken(String token);

    CompletionStage<SubscribeToken> verifySubscribeToken(String token);
}
