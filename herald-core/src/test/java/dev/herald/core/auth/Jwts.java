package dev.herald.core.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: an independent HMAC signer (plain JCA) with a free-form header, PEM encoding, stage outcomes. */
final class Jwts {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwts() {
    }

    static String hmac(String jcaAlg, String headerJson, String claimsJson, String secret) {
        try {
            String input = B64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                    + B64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance(jcaAlg);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), jcaAlg));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String hs256(String claimsJson, String secret) {
        return hmac("HmacSHA256", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claimsJson, secret);
    }

    static String signed(JWSAlgorithm alg, String kid, JWSSigner signer, String claimsJson) {
        try {
            JWSObject jws = new JWSObject(new JWSHeader.Builder(alg).keyID(kid).build(), new Payload(claimsJson));
            jws.sign(signer);
            return jws.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String pem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static <T> T ok(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Throwable failure(CompletionStage<?> stage) {
        try {
            Object value = stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
            fail("expected failure, got " + value);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static TokenException.Kind kind(CompletionStage<?> stage) {
        return assertInstanceOf(TokenException.class, failure(stage)).kind();
    }
}
