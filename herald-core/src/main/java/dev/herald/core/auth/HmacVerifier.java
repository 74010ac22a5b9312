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
 * too. The keyed {@link Mac}s are initialised once per thread and reused ({@code doFinal} resets them to the keyed
 * state), which skips the key schedule, the provider lookup and a clone per token.
 */
final class HmacVerifier implements JWSVerifier {
    enum Hs {
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
    /** Per thread: one keyed Mac per algorithm, created on first use. */
    private final ThreadLocal<Mac[]> perThread = ThreadLocal.withInitial(() -> new Mac[Hs.values().length]);
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
        return verify(hs, signingInput, signingInput.length, signature.decode());
    }

    /** Whether {@code signature} is the MAC of {@code input[0, length)}; compares in constant time. */
    boolean verify(Hs hs, byte[] input, int length, byte[] signature) {
        Mac mac = instance(hs);
        mac.update(input, 0, length);
        return MessageDigest.isEqual(mac.doFinal(), signature);
    }

    /** This thread's keyed Mac for {@code hs}, in its initial state. */
    private Mac instance(Hs hs) {
        Mac[] macs = perThread.get();
        Mac mac = macs[hs.ordinal()];
        if (mac == null) {
            try {
                mac = (Mac) prototypes.get(hs).clone();
            } catch (CloneNotSupportedException e) {
                mac = newMac(hs);
            }
            macs[hs.ordinal()] = mac;
        }
        return mac;
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
