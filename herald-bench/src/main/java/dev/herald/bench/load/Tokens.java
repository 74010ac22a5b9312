package dev.herald.bench.load;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Signs HS256 connection JWTs (claims {@code sub}, {@code exp}, optional {@code meta}) with the server's
 * {@code client.token.hmac_secret_key}, as an application backend would. One instance per thread (the MAC is
 * stateful).
 */
public final class Tokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final Mac mac;
    private final long expiresAtSeconds;

    public Tokens(String secret, long expiresAtSeconds) {
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
        this.expiresAtSeconds = expiresAtSeconds;
    }

    /** A token for {@code user}; {@code metaJson} (a JSON object) becomes the connection's private meta, or null. */
    public String sign(String user, String metaJson) {
        StringBuilder claims = new StringBuilder(96).append("{\"sub\":\"").append(user).append("\",\"exp\":")
                .append(expiresAtSeconds);
        if (metaJson != null) {
            claims.append(",\"meta\":").append(metaJson);
        }
        claims.append('}');
        String signingInput = HEADER + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(signature);
    }
}
