package dev.herald.core.auth;

import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import static dev.herald.core.auth.Jwts.hmac;
import static dev.herald.core.auth.Jwts.hs256;
import static dev.herald.core.auth.Jwts.kind;
import static dev.herald.core.auth.Jwts.ok;
import static dev.herald.core.auth.JwtTokenVerifierTest.CLOCK;
import static dev.herald.core.auth.JwtTokenVerifierTest.NOW;
import static dev.herald.core.auth.JwtTokenVerifierTest.SECRET;
import static dev.herald.core.auth.JwtTokenVerifierTest.verifier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The HS256/384/512 fast path: which tokens it takes, and that it refuses what the general path refuses. */
class CompactJwsTest {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String CLAIMS = "{\"sub\":\"42\",\"exp\":" + (NOW + 60) + ",\"info\":{\"n\":1.10}}";

    @Test
    void plainHmacTokensTakeTheFastPath() {
        assertNotNull(CompactJws.parse(hs256(CLAIMS, SECRET)));
        assertNotNull(CompactJws.parse(hmac("HmacSHA384", "{\"alg\":\"HS384\"}", CLAIMS, SECRET)));
        assertNotNull(CompactJws.parse(hmac("HmacSHA512", "{\"typ\":\"JWT\",\"alg\":\"HS512\"}", CLAIMS, SECRET)));
        CompactJws parsed = CompactJws.parse(hmac("HmacSHA256", "{ \"kid\": \"k1\", \"alg\": \"HS256\", \"cty\": \"x\" }",
                CLAIMS, SECRET));
        assertNotNull(parsed);
        assertEquals(HmacVerifier.Hs.HS256, parsed.alg);
        assertEquals(CLAIMS, new String(parsed.payload, StandardCharsets.UTF_8));
    }

    @Test
    void everythingElseIsLeftToTheGeneralPath() {
        String good = hs256(CLAIMS, SECRET);
        String[] parts = good.split("\\.");
        String oneMod4 = parts[1] + "x".repeat((5 - parts[1].length() % 4) % 4);
        for (String token : new String[] {
                "", "abc", "a.b", "a.b.c.d", "a.b.c.d.e", ".b.c", parts[0] + ".." + parts[2], parts[0] + "." + parts[1] + ".",
                parts[0] + "." + parts[1] + "." + parts[2] + "=", parts[0] + "=." + parts[1] + "." + parts[2],
                parts[0] + "." + parts[1] + " ." + parts[2], " " + good, good + "\n",
                parts[0] + ".+" + parts[1].substring(1) + "." + parts[2], // standard alphabet
                parts[0] + "." + oneMod4 + "." + parts[2], // a length no base64 has
                parts[0] + ".\u00e9" + parts[1] + "." + parts[2],
                hmac("HmacSHA256", "{\"alg\":\"none\"}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"hs256\"}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"HS256\",\"b64\":false}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"HS256\",\"typ\":5}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"HS256\",\"alg\":\"HS256\"}", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"HS256\"} x", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"typ\":\"JWT\"}", CLAIMS, SECRET),
                hmac("HmacSHA256", "[\"HS256\"]", CLAIMS, SECRET),
                hmac("HmacSHA256", "{\"alg\":\"HS256\",\"x\":\"" + "y".repeat(2000) + "\"}", CLAIMS, SECRET)}) {
            assertNull(CompactJws.parse(token), token);
        }
    }

    @Test
    void strictBase64UrlDecoding() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        for (int n = 0; n <= 10; n++) {
            byte[] input = java.util.Arrays.copyOf(all, n);
            byte[] encoded = B64.encode(input);
            assertArrayEquals(input, CompactJws.decode(encoded, 0, encoded.length));
        }
        byte[] encoded = B64.encode(all);
        assertArrayEquals(all, CompactJws.decode(encoded, 0, encoded.length));
        for (String bad : new String[] {"A", "AAAAA", "AA==", "AA=A", "A+AA", "A/AA", "A AA", "AA\nA", "AA.A"}) {
            byte[] ascii = bad.getBytes(StandardCharsets.ISO_8859_1);
            assertNull(CompactJws.decode(ascii, 0, ascii.length), bad);
        }
        byte[] high = {'A', 'A', (byte) 0xC3, 'A'};
        assertNull(CompactJws.decode(high, 0, high.length));
    }

    @Test
    void malformedTokensAreInvalid() {
        JwtTokenVerifier v = verifier(SECRET);
        String good = hs256(CLAIMS, SECRET);
        String[] parts = good.split("\\.");
        String[] malformed = {
                "a.b", "a.b.c.d", parts[0] + "." + parts[1], good + "." + parts[2], good + ".", "." + good,
                parts[0] + ".***." + parts[2], "***." + parts[1] + "." + parts[2], parts[0] + "." + parts[1] + ".***",
                parts[0] + "." + B64.encodeToString("not json".getBytes()) + "." + parts[2],
                parts[0] + ".." + parts[2], parts[0] + "." + parts[1] + ".",
                B64.encodeToString("{\"alg\":\"HS256\"".getBytes()) + "." + parts[1] + "." + parts[2]};
        for (String token : malformed) {
            assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(token)), token);
        }
    }

    @Test
    void hugeTokensAreHandled() {
        JwtTokenVerifier v = verifier(SECRET);
        String bigInfo = "{\"sub\":\"42\",\"info\":{\"pad\":\"" + "x".repeat(1 << 20) + "\"}}";
        ConnectToken t = ok(v.verifyConnectToken(hs256(bigInfo, SECRET)));
        assertEquals((1 << 20) + 10, t.info().length);
        String garbage = "A".repeat(1 << 20) + "." + "B".repeat(1 << 20) + "." + "C".repeat(1 << 20);
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(garbage)));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(".".repeat(100_000))));
        String deep = "{\"sub\":\"42\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs256(deep, SECRET))));
    }

    @Test
    void tamperingIsRefusedAtEveryPosition() {
        JwtTokenVerifier v = verifier(SECRET);
        String good = hs256("{\"sub\":\"42\"}", SECRET);
        assertEquals("42", ok(v.verifyConnectToken(good)).user());
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < good.length(); i++) {
            char c = good.charAt(i);
            if (c == '.') {
                continue;
            }
            // Swap in a character whose 6 bits differ in the high bits, so the decoded bytes always change.
            char other = alphabet.charAt((alphabet.indexOf(c) + 32) % 64);
            String tampered = good.substring(0, i) + other + good.substring(i + 1);
            assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(tampered)), tampered);
        }
    }

    @Test
    void wrongAlgorithmsAreRefused() {
        JwtTokenVerifier v = verifier(SECRET);
        // The header says one HMAC, the signature is another's (or truncated).
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                hmac("HmacSHA512", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", CLAIMS, SECRET))));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                hmac("HmacSHA256", "{\"alg\":\"HS512\"}", CLAIMS, SECRET))));
        String hs512 = hmac("HmacSHA512", "{\"alg\":\"HS512\"}", CLAIMS, SECRET);
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs512.substring(0, hs512.length() - 43))));
        // Same signature, header edited from HS256 to HS384.
        String good = hs256(CLAIMS, SECRET);
        String edited = B64.encodeToString("{\"alg\":\"HS384\",\"typ\":\"JWT\"}".getBytes()) + good.substring(good.indexOf('.'));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(edited)));
        for (String header : new String[] {"{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"alg\":\"none\"}", "{\"alg\":\"\"}",
                "{\"alg\":\"HS1\"}", "{\"alg\":\"RS256\"}", "{\"alg\":\"ES256\"}", "{\"alg\":\"EdDSA\"}", "{}"}) {
            String unsigned = B64.encodeToString(header.getBytes()) + "." + B64.encodeToString(CLAIMS.getBytes());
            assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(unsigned + ".")), header);
            assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                    hmac("HmacSHA256", header, CLAIMS, SECRET))), header);
        }
    }

    @Test
    void noHmacSecretMeansNoFastPath() throws Exception {
        // Algorithm confusion: only an RSA key is configured; an HS256 token "signed" with the PEM text is refused.
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String pem = Jwts.pem(rsa.generateKeyPair().getPublic());
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.rsaPublicKey = pem;
        JwtTokenVerifier v = new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs256(CLAIMS, pem))));
        // Both configured: an RS256 header over an HMAC signature is still refused by the RSA verifier.
        client.token.hmacSecretKey = SECRET;
        JwtTokenVerifier both = new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
        assertEquals(TokenException.Kind.INVALID, kind(both.verifyConnectToken(
                hmac("HmacSHA256", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", CLAIMS, SECRET))));
        assertEquals("42", ok(both.verifyConnectToken(hs256(CLAIMS, SECRET))).user());
    }

    @Test
    void fastAndGeneralPathsReadTheSameToken() {
        JwtTokenVerifier v = verifier(SECRET);
        for (String claims : List.of(CLAIMS, "{}", "{\"sub\":\"u\",\"meta\":{\"a\": [1, 2.0]},\"channels\":[\"a\",\"b\"]}",
                "{\"subs\":{\"s\":{\"info\":{\"x\":1}}},\"b64info\":\"AQ==\",\"jti\":\"j\",\"iat\":5}")) {
            String fast = hs256(claims, SECRET);
            // An extra header member takes the token off the fast path.
            String general = hmac("HmacSHA256", "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"x\":1}", claims, SECRET);
            assertNotNull(CompactJws.parse(fast));
            assertNull(CompactJws.parse(general));
            assertEquals(describe(ok(v.verifyConnectToken(general))), describe(ok(v.verifyConnectToken(fast))), claims);
        }
        for (String claims : List.of("{\"exp\":" + NOW + "}", "{\"nbf\":" + (NOW + 1) + "}")) {
            assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(hs256(claims, SECRET))));
            assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(
                    hmac("HmacSHA256", "{\"alg\":\"HS256\",\"x\":1}", claims, SECRET))));
        }
    }

    @Test
    void macsAreReusedSafelyAcrossThreadsAndFailures() throws Exception {
        JwtTokenVerifier v = verifier(SECRET);
        String good = hs256(CLAIMS, SECRET);
        String bad = hs256(CLAIMS, "other");
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 2000; i++) {
                        assertEquals("42", ok(v.verifyConnectToken(good)).user());
                        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(bad)));
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    private static List<Object> describe(ConnectToken t) {
        return List.of(t.user(), t.expireAt(), t.issuedAt(), t.id(), new String(t.info() == null ? new byte[0] : t.info()),
                new String(t.meta() == null ? new byte[0] : t.meta()), t.channels(), t.subs().keySet());
    }
}
