package dev.herald.core.auth;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;

import java.util.concurrent.CompletableFuture;

/**
 * Chooses the verifier for a token's header, or fails with {@link TokenException} (INVALID) when no configured key
 * matches the header's algorithm. Static keys answer at once; a JWKS may answer later, off the caller's thread.
 */
interface KeyResolver {
    CompletableFuture<JWSVerifier> resolve(JWSHeader header);
}
