package dev.herald.core.auth;

import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.time.ManualClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import static dev.herald.core.auth.Jwts.hmac;
import static dev.herald.core.auth.Jwts.hs256;
import static dev.herald.core.auth.Jwts.kind;
import static dev.herald.core.auth.Jwts.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtTokenVerifierTest {
    static final long NOW = 1_700_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final String SECRET = "secret";

    static JwtTokenVerifier verifier(String secret) {
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.hmacSecretKey = secret;
        return new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
    }

    @Test
    void hs256TokenYieldsEveryClaim() {
        String claims = "{\"sub\":\"42\",\"exp\":" + (NOW + 60) + ",\"iat\":" + (NOW - 5) + ",\"jti\":\"t-1\","
                + "\"info\":{\"name\":\"Alexander\",\"n\":1.10,\"big\":123456789012345678901234567890},"
                + "\"meta\":{\"plan\":\"pro\"},\"channels\":[\"news\",\"chat:1\"]}";
        ConnectToken t = ok(verifier(SECRET).verifyConnectToken(hs256(claims, SECRET)));
        assertEquals("42", t.user());
        assertEquals(NOW + 60, t.expireAt());
        assertEquals(NOW - 5, t.issuedAt());
        assertEquals("t-1", t.id());
        assertEquals("{\"name\":\"Alexander\",\"n\":1.10,\"big\":123456789012345678901234567890}", utf8(t.info()));
        assertEquals("{\"plan\":\"pro\"}", utf8(t.meta()));
        assertEquals(List.of("news", "chat:1"), t.channels());
        assertTrue(t.subs().isEmpty());
    }

    @Test
    void hs384AndHs512AreAcceptedWithShortAndLongSecrets() {
        for (String secret : new String[] {SECRET, "x".repeat(80)}) {
            String hs384 = hmac("HmacSHA384", "{\"alg\":\"HS384\"}", "{\"sub\":\"a\"}", secret);
            String hs512 = hmac("HmacSHA512", "{\"alg\":\"HS512\"}", "{\"sub\":\"b\"}", secret);
            assertEquals("a", ok(verifier(secret).verifyConnectToken(hs384)).user());
            assertEquals("b", ok(verifier(secret).verifyConnectToken(hs512)).user());
        }
    }

    @Test
    void minimalTokenIsAnonymousAndNeverExpires() {
        ConnectToken t = ok(verifier(SECRET).verifyConnectToken(hs256("{}", SECRET)));
        assertEquals("", t.user());
        assertEquals(0, t.expireAt());
        assertEquals(0, t.issuedAt());
        assertEquals("", t.id());
        assertNull(t.info());
        assertNull(t.meta());
        assertEquals(List.of(), t.channels());
    }

    @Test
    void hmacTokensSignerProducesVerifiableTokens() {
        String token = HmacTokens.sign("HS256", SECRET, "{\"sub\":\"42\"}".getBytes(StandardCharsets.UTF_8));
        assertTrue(token.startsWith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."), token);
        assertEquals(hs256("{\"sub\":\"42\"}", SECRET), token);
        assertEquals("42", ok(verifier(SECRET).verifyConnectToken(token)).user());
    }

    @Test
    void expiryIsExactToTheSecond() {
        JwtTokenVerifier v = verifier(SECRET);
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(hs256("{\"exp\":" + (NOW - 1) + "}", SECRET))));
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(hs256("{\"exp\":" + NOW + "}", SECRET))));
        assertEquals(NOW + 1, ok(v.verifyConnectToken(hs256("{\"exp\":" + (NOW + 1) + "}", SECRET))).expireAt());
    }

    @Test
    void expiryFollowsTheNodesManualClock() {
        ManualClock clock = new ManualClock(NOW * 1000);
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.hmacSecretKey = SECRET;
        JwtTokenVerifier v = new JwtTokenVerifier(new FrozenConfig.Client(client), clock.asJavaClock(), null);
        String token = hs256("{\"exp\":" + (NOW + 10) + "}", SECRET);
        assertEquals(NOW + 10, ok(v.verifyConnectToken(token)).expireAt());
        clock.advance(Duration.ofMillis(9_999));
        ok(v.verifyConnectToken(token));
        clock.advance(Duration.ofMillis(1));
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(token)));
    }

    @Test
    void notBeforeInTheFutureCountsAsExpired() {
        JwtTokenVerifier v = verifier(SECRET);
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(hs256("{\"nbf\":" + (NOW + 10) + "}", SECRET))));
        ok(v.verifyConnectToken(hs256("{\"nbf\":" + NOW + "}", SECRET)));
    }

    @Test
    void expireAtOverridesExpForTheConnection() {
        JwtTokenVerifier v = verifier(SECRET);
        assertEquals(NOW + 500, ok(v.verifyConnectToken(
                hs256("{\"exp\":" + (NOW + 60) + ",\"expire_at\":" + (NOW + 500) + "}", SECRET))).expireAt());
        assertEquals(0, ok(v.verifyConnectToken(
                hs256("{\"exp\":" + (NOW + 60) + ",\"expire_at\":0}", SECRET))).expireAt());
        // exp is still checked when expire_at is present.
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(
                hs256("{\"exp\":" + (NOW - 60) + ",\"expire_at\":" + (NOW + 500) + "}", SECRET))));
    }

    @Test
    void badSignatureWrongSecretAndGarbageAreInvalid() {
        JwtTokenVerifier v = verifier(SECRET);
        String good = hs256("{\"sub\":\"42\"}", SECRET);
        String tampered = good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA");
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(tampered)));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs256("{\"sub\":\"42\"}", "other"))));
        String forgedPayload = good.substring(0, good.indexOf('.') + 1)
                + Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"1\"}".getBytes())
                + good.substring(good.lastIndexOf('.'));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(forgedPayload)));
        for (String garbage : new String[] {"", "abc", "a.b.c", "..", "eyJhbGciOiJIUzI1NiJ9.e30"}) {
            assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(garbage)), garbage);
        }
    }

    @Test
    void algNoneAndUnknownAlgorithmsAreInvalid() {
        JwtTokenVerifier v = verifier(SECRET);
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"42\"}".getBytes());
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(none + "." + payload + ".")));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                hmac("HmacSHA256", "{\"alg\":\"HS999\"}", "{\"sub\":\"42\"}", SECRET))));
        // RS256 header over an HMAC signature: no RSA key is configured, so no verifier exists for it.
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                hmac("HmacSHA256", "{\"alg\":\"RS256\"}", "{\"sub\":\"42\"}", SECRET))));
    }

    @Test
    void criticalHeadersAreRefused() {
        String token = hmac("HmacSHA256", "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", "{}", SECRET);
        assertEquals(TokenException.Kind.INVALID, kind(verifier(SECRET).verifyConnectToken(token)));
    }

    @Test
    void channelClaimMakesAConnectionTokenInvalid() {
        JwtTokenVerifier v = verifier(SECRET);
        assertEquals(TokenException.Kind.INVALID,
                kind(v.verifyConnectToken(hs256("{\"sub\":\"42\",\"channel\":\"news\"}", SECRET))));
        ok(v.verifyConnectToken(hs256("{\"sub\":\"42\",\"channel\":\"\"}", SECRET)));
    }

    @Test
    void wrongClaimTypesAreInvalid() {
        JwtTokenVerifier v = verifier(SECRET);
        for (String claims : new String[] {"{\"sub\":42}", "{\"exp\":\"soon\"}", "{\"channels\":\"news\"}",
                "{\"channels\":[1]}", "{\"subs\":[]}", "{\"b64info\":\"***\"}", "[1,2]"}) {
            assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs256(claims, SECRET))), claims);
        }
    }

    @Test
    void b64infoIsDecodedAndInfoWins() {
        JwtTokenVerifier v = verifier(SECRET);
        byte[] binary = {0, 1, 2, (byte) 0xff};
        String b64 = Base64.getEncoder().encodeToString(binary);
        assertArrayEquals(binary, ok(v.verifyConnectToken(hs256("{\"b64info\":\"" + b64 + "\"}", SECRET))).info());
        assertEquals("\"text\"", utf8(ok(v.verifyConnectToken(
                hs256("{\"info\":\"text\",\"b64info\":\"" + b64 + "\"}", SECRET))).info()));
    }

    @Test
    void subsWinOverChannels() {
        String claims = "{\"channels\":[\"ignored\"],\"subs\":{"
                + "\"news\":{\"info\":{\"a\":1},\"data\":[1,2],\"override\":{\"presence\":{\"value\":true},"
                + "\"join_leave\":{\"value\":false},\"force_recovery\":{\"value\":true}}},"
                + "\"bin\":{\"b64info\":\"AQI=\",\"b64data\":\"AwQ=\"},\"empty\":{}}}";
        ConnectToken t = ok(verifier(SECRET).verifyConnectToken(hs256(claims, SECRET)));
        assertEquals(List.of(), t.channels());
        assertEquals(List.of("news", "bin", "empty"), List.copyOf(t.subs().keySet()));
        SubscribeOptions news = t.subs().get("news");
        assertEquals("{\"a\":1}", utf8(news.info()));
        assertEquals("[1,2]", utf8(news.data()));
        assertEquals(new SubscribeOptions.Override(true, false, true, null, null), news.override());
        SubscribeOptions bin = t.subs().get("bin");
        assertArrayEquals(new byte[] {1, 2}, bin.info());
        assertArrayEquals(new byte[] {3, 4}, bin.data());
        assertNull(bin.override());
        assertNull(t.subs().get("empty").info());
    }

    @Test
    void audienceAndIssuerAreCheckedOnlyWhenConfigured() {
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.hmacSecretKey = SECRET;
        client.token.audience = "herald";
        client.token.issuer = "https://auth.example";
        JwtTokenVerifier strict = new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
        String iss = "\"iss\":\"https://auth.example\"";
        ok(strict.verifyConnectToken(hs256("{\"aud\":\"herald\"," + iss + "}", SECRET)));
        ok(strict.verifyConnectToken(hs256("{\"aud\":[\"x\",\"herald\"]," + iss + "}", SECRET)));
        for (String claims : new String[] {"{" + iss + "}", "{\"aud\":\"other\"," + iss + "}",
                "{\"aud\":\"herald\"}", "{\"aud\":\"herald\",\"iss\":\"https://evil\"}"}) {
            assertEquals(TokenException.Kind.INVALID, kind(strict.verifyConnectToken(hs256(claims, SECRET))), claims);
        }
        ok(verifier(SECRET).verifyConnectToken(hs256("{\"aud\":\"other\",\"iss\":\"anyone\"}", SECRET)));
    }

    @Test
    void subscriptionTokenClaims() {
        JwtTokenVerifier v = verifier(SECRET);
        String claims = "{\"sub\":\"42\",\"channel\":\"$private\",\"client\":\"c-1\",\"exp\":" + (NOW + 30)
                + ",\"iat\":" + NOW + ",\"jti\":\"s-1\",\"b64info\":\"AQ==\",\"data\":{\"x\":true},"
                + "\"override\":{\"force_positioning\":{\"value\":true}}}";
        SubscribeToken t = ok(v.verifySubscribeToken(hs256(claims, SECRET)));
        assertEquals(new SubscribeToken("42", "$private", "c-1", NOW + 30, NOW, "s-1", t.info(), t.data(),
                new SubscribeOptions.Override(null, null, null, true, null)), t);
        assertArrayEquals(new byte[] {1}, t.info());
        assertEquals("{\"x\":true}", utf8(t.data()));
        SubscribeToken minimal = ok(v.verifySubscribeToken(hs256("{\"channel\":\"c\",\"expire_at\":0,\"exp\":"
                + (NOW + 9) + "}", SECRET)));
        assertEquals("", minimal.client());
        assertEquals(0, minimal.expireAt());
        assertEquals(TokenException.Kind.INVALID, kind(v.verifySubscribeToken(hs256("{\"sub\":\"42\"}", SECRET))));
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifySubscribeToken(
                hs256("{\"channel\":\"c\",\"exp\":" + NOW + "}", SECRET))));
    }

    @Test
    void subscriptionTokensUseTheirOwnKeysOnlyWhenEnabled() {
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.hmacSecretKey = SECRET;
        client.subscriptionToken.hmacSecretKey = "sub-secret";
        String withConnKey = hs256("{\"channel\":\"c\"}", SECRET);
        String withSubKey = hs256("{\"channel\":\"c\"}", "sub-secret");
        JwtTokenVerifier shared = new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
        ok(shared.verifySubscribeToken(withConnKey));
        assertEquals(TokenException.Kind.INVALID, kind(shared.verifySubscribeToken(withSubKey)));
        client.subscriptionToken.enabled = true;
        JwtTokenVerifier separate = new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null);
        ok(separate.verifySubscribeToken(withSubKey));
        assertEquals(TokenException.Kind.INVALID, kind(separate.verifySubscribeToken(withConnKey)));
        ok(separate.verifyConnectToken(hs256("{}", SECRET)));
    }

    @Test
    void staticKeysCompleteBeforeReturning() {
        assertTrue(verifier(SECRET).verifyConnectToken(hs256("{}", SECRET)).toCompletableFuture().isDone());
        assertTrue(verifier(SECRET).verifyConnectToken("junk").toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void noKeysMeansEveryTokenIsInvalid() {
        JwtTokenVerifier v = new JwtTokenVerifier(new FrozenConfig.Client(new HeraldConfig.Client()), CLOCK, null);
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs256("{}", SECRET))));
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
