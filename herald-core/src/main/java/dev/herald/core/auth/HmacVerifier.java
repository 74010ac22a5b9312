package dev.herald.core.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * HS256/384/512 verification with one secret. Nimbus's {@code MACVerifier} refuses secrets shorter than the hash
 * (256 bits for HS256), but Centrifugo accepts any secret (its own docs sign with {@code "secret"}), so this one does
 * too. The keyed {@link Mac}s are initialised once; each verification clones a prototype, which skips the key
 * schedule and the provider lookup, and is safe to do concurrently because the prototypes are never updated.
 */
final class HmacVerifier implements JWSVerifier {
    private enum Hs {
        HS256(JWSAlgorithm.HS256, "HmacSHA256"),
        HS384(JWSAlgorithm.HS384, "HmacSHA384"),
        HS512(JWSAlgorithm.HS512, "HmacSHA512");

        final JWSAlgorithm alg;
        final String jca;

        Hs(JWSAlgorithm alg, String jca) {
            this.alg = alg;
            this.jca = jca;
        }

        static Hs of(JWSAlgorithm alg) {
            for (Hs hs : values()) {
                if (hs.alg.equals(alg)) {
                    return hs;
                }
            }
            return null;
        }
    }

    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

    private final byte[] secret;
    private final Map<Hs, Mac> prototypes = new EnumMap<>(Hs.class);
    private final JCAContext jcaContext = new JCAContext();

    HmacVerifier(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        if (this.secret.length == 0) {
            throw new IllegalArgumentException("empty HMAC secret");
        }
        for (Hs hs : Hs.values()) {
            prototypes.put(hs, newMac(hs));
        }
    }

    /** Computes the MAC of {@code input}; used by {@link HmacTokens} to sign. */
    byte[] mac(JWSAlgorithm alg, byte[] input) {
        Hs hs = Hs.of(alg);
        if (hs == null) {
            throw new IllegalArgumentException("not an HMAC algorithm: " + alg);
        }
        return instance(hs).doFinal(input);
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
        Hs hs = Hs.of(header.getAlgorithm());
        if (hs == null) {
            return false;
        }
        byte[] expected = instance(hs).doFinal(signingInput);
        return MessageDigest.isEqual(expected, signature.decode());
    }

    private Mac instance(Hs hs) {
        try {
            return (Mac) prototypes.get(hs).clone();
        } catch (CloneNotSupportedException e) {
            return newMac(hs);
        }
    }

    private Mac newMac(Hs hs) {
        try {
            Mac mac = Mac.getInstance(hs.jca);
            mac.init(new SecretKeySpec(secret, hs.jca));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks " + hs.jca, e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return ALGORITHMS;
    }

    @Override
    public JCAContext getJCAContext() {
        return jcaContext;
    }
}
