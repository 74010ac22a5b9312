package dev.herald.core.auth;

/**
 * The JWKS endpoint could not be reached or answered garbage, so the token could be neither accepted nor refused.
 * Unlike a {@link TokenException} this says nothing about the token: callers should answer with a temporary
 * (internal) error so that the client retries, not with a terminal "invalid token".
 */
public final class JwksUnavailableException extends Exception {
    public JwksUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
