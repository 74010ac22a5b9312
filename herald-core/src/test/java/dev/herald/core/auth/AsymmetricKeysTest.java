package dev.herald.core.auth;

import dev.herald.core.keys.PemKeys;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;

import static dev.herald.core.auth.Jwts.hmac;
import static dev.herald.core.auth.Jwts.kind;
import static dev.herald.core.auth.Jwts.ok;
import static dev.herald.core.auth.Jwts.pem;
import static dev.herald.core.auth.Jwts.signed;
import static dev.herald.core.auth.JwtTokenVerifierTest.CLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AsymmetricKeysTest {
    static KeyPair rsa;
    static KeyPair ec256;
    static KeyPair ec384;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec256 = ecGen.generateKeyPair();
        ecGen.initialize(new ECGenParameterSpec("secp384r1"));
        ec384 = ecGen.generateKeyPair();
    }

    static JwtTokenVerifier verifier(String rsaPem, String ecPem, String hmac) {
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.rsaPublicKey = rsaPem;
        client.token.ecdsaPublicKey = ecPem;
        client.token.hmacSecretKey = hmac;
        return new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
    }

    @Test
    void rs256_384_512() {
        JwtTokenVerifier v = verifier(pem(rsa.getPublic()), "", "");
        RSASSASigner signer = new RSASSASigner(rsa.getPrivate());
        for (JWSAlgorithm alg : new JWSAlgorithm[] {JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512}) {
            assertEquals("42", ok(v.verifyConnectToken(signed(alg, null, signer, "{\"sub\":\"42\"}"))).user());
        }
        // PS256 uses the same key type but is not one of Centrifugo's algorithms.
        assertEquals(TokenException.Kind.INVALID,
                kind(v.verifyConnectToken(signed(JWSAlgorithm.PS256, null, signer, "{}"))));
    }

    @Test
    void rsaPkcs1PemIsAccepted() {
        byte[] spki = rsa.getPublic().getEncoded();
        byte[] pkcs1 = Arrays.copyOfRange(spki, 24, spki.length); // 2048-bit SPKI header is 24 bytes
        JwtTokenVerifier v = verifier(pem("RSA PUBLIC KEY", pkcs1), "", "");
        ok(v.verifyConnectToken(signed(JWSAlgorithm.RS256, null, new RSASSASigner(rsa.getPrivate()), "{}")));
    }

    @Test
    void es256AndCurveMismatch() throws Exception {
        JwtTokenVerifier v = verifier("", pem(ec256.getPublic()), "");
        ECDSASigner signer = new ECDSASigner((ECPrivateKey) ec256.getPrivate());
        assertEquals("7", ok(v.verifyConnectToken(signed(JWSAlgorithm.ES256, null, signer, "{\"sub\":\"7\"}"))).user());
        // A P-384 key signs ES384, which a P-256 configuration must not accept.
        ECDSASigner other = new ECDSASigner((ECPrivateKey) ec384.getPrivate());
        assertEquals(TokenException.Kind.INVALID,
                kind(v.verifyConnectToken(signed(JWSAlgorithm.ES384, null, other, "{}"))));
        JwtTokenVerifier v384 = verifier("", pem(ec384.getPublic()), "");
        ok(v384.verifyConnectToken(signed(JWSAlgorithm.ES384, null, other, "{}")));
    }

    @Test
    void hmacWithThePublicKeyTextIsRefusedWhenOnlyRsaIsConfigured() {
        String rsaPem = pem(rsa.getPublic());
        JwtTokenVerifier v = verifier(rsaPem, "", "");
        String confused = hmac("HmacSHA256", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"admin\"}", rsaPem);
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(confused)));
    }

    @Test
    void wrongRsaKeyIsInvalid() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair other = gen.generateKeyPair();
        JwtTokenVerifier v = verifier(pem(rsa.getPublic()), "", "");
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                signed(JWSAlgorithm.RS256, null, new RSASSASigner(other.getPrivate()), "{}"))));
    }

    @Test
    void badPemFailsConstruction() {
        assertThrows(IllegalArgumentException.class, () -> verifier("not a key", "", ""));
        assertThrows(IllegalArgumentException.class, () -> verifier("", pem(rsa.getPublic()), ""));
        assertThrows(IllegalArgumentException.class,
                () -> verifier("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----", "", ""));
    }

    @Test
    void pemWithEscapedNewlinesFromAnEnvironmentVariable() {
        String oneLine = pem(rsa.getPublic()).replace("\n", "\\n");
        assertEquals(rsa.getPublic(), PemKeys.rsaPublicKey(oneLine));
    }
}
