package dev.herald.core.auth;

import dev.herald.core.keys.PemKeys;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.crypto.impl.ECDSA;
import dev.herald.core.config.FrozenConfig;

import java.security.interfaces.ECPublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Verifiers for the statically configured keys, built once and indexed by algorithm. Only algorithms whose key is
 * configured are in the index, which is what stops algorithm confusion: with only an RSA key configured there is
 * no HMAC verifier to trick into using the RSA key text as a secret.
 */
final class StaticKeys implements KeyResolver {
    private final Map<JWSAlgorithm, JWSVerifier> byAlgorithm;
    private final HmacVerifier hmac;

    StaticKeys(FrozenConfig.Token keys) {
        Map<JWSAlgorithm, JWSVerifier> map = new HashMap<>();
        if (!keys.hmacSecretKey.isEmpty()) {
            HmacVerifier hmac = new HmacVerifier(keys.hmacSecretKey);
            HmacVerifier.ALGORITHMS.forEach(alg -> map.put(alg, hmac));
            this.hmac = hmac;
        } else {
            this.hmac = null;
        }
        if (!keys.rsaPublicKey.isEmpty()) {
            RSASSAVerifier rsa = new RSASSAVerifier(PemKeys.rsaPublicKey(keys.rsaPublicKey));
            for (JWSAlgorithm alg : new JWSAlgorithm[] {JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512}) {
                map.put(alg, rsa);
            }
        }
        if (!keys.ecdsaPublicKey.isEmpty()) {
            ECPublicKey ec = PemKeys.ecPublicKey(keys.ecdsaPublicKey);
            try {
                // One ECDSA algorithm per curve: ES256 only with P-256, and so on.
                map.put(ECDSA.resolveAlgorithm(ec), new ECDSAVerifier(ec));
            } catch (JOSEException e) {
                throw new IllegalArgumentException("unsupported ECDSA key: " + e.getMessage(), e);
            }
        }
        this.byAlgorithm = Map.copyOf(map);
    }

    /** The HS256/384/512 verifier, or null when no HMAC secret is configured. */
    HmacVerifier hmac() {
        return hmac;
    }

    boolean isEmpty() {
        return byAlgorithm.isEmpty();
    }

    @Override
    public CompletableFuture<JWSVerifier> resolve(JWSHeader header) {
        JWSVerifier verifier = byAlgorithm.get(header.getAlgorithm());
        if (verifier == null) {
            return CompletableFuture.failedFuture(new TokenException(TokenException.Kind.INVALID,
                    "no key configured for algorithm " + header.getAlgorithm()));
        }
        return CompletableFuture.completedFuture(verifier);
    }
}
