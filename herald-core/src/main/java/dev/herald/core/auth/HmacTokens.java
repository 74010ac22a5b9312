package dev.herald.core.auth;

import com.nimbusds.jose.JWSAlgorithm;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Signs HMAC JWTs ({@code gentoken}, tests, benchmarks). The header is {@code {"alg":"HS256","typ":"JWT"}} with
 * that exact key order, as Centrifugo's own tokens have it; the claims are given as ready JSON so the caller
 * controls their order.
 */
public final class HmacTokens {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private HmacTokens() {
    }

    /** Signs {@code claimsJson} with {@code secret} (UTF-8 bytes) using HS256, HS384 or HS512. */
    public static String sign(String algorithm, String secret, byte[] claimsJson) {
        JWSAlgorithm alg = JWSAlgorithm.parse(algorithm);
        if (!HmacVerifier.ALGORITHMS.contains(alg)) {
            throw new IllegalArgumentException("not an HMAC algorithm: " + algorithm);
        }
        String header = "{\"alg\":\"" + alg.getName() + "\",\"typ\":\"JWT\"}";
        String signingInput = B64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64URL.encodeToString(claimsJson);
        byte[] mac = new HmacVerifier(secret).mac(alg, signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64URL.encodeToString(mac);
    }
}
