package dev.herald.core.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.herald.core.auth.Jwts.failure;
import static dev.herald.core.auth.Jwts.hmac;
import static dev.herald.core.auth.Jwts.kind;
import static dev.herald.core.auth.Jwts.ok;
import static dev.herald.core.auth.Jwts.signed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class JwksKeysTest {
    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1_700_000_000L));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicReference<String> body = new AtomicReference<>();
    final AtomicInteger status = new AtomicInteger(200);
    RSAKey rsa;
    ECKey ec;
    final MutableClock clock = new MutableClock();

    @BeforeEach
    void serve() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        OctetSequenceKey oct = new OctetSequenceKey.Builder("0123456789abcdef0123456789abcdef".getBytes())
                .keyID("oct-1").build();
        body.set(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), oct)).toString(false));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    JwtTokenVerifier verifier() {
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.jwksPublicEndpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
        client.token.hmacSecretKey = "ignored-with-jwks";
        return new JwtTokenVerifier(new FrozenConfig.Client(client), clock, null);
    }

    @Test
    void selectsKeysByKidAndCachesThemForAnHour() throws Exception {
        JwtTokenVerifier v = verifier();
        String rsaToken = signed(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), "{\"sub\":\"1\"}");
        String ecToken = signed(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec), "{\"sub\":\"2\"}");
        assertEquals("1", ok(v.verifyConnectToken(rsaToken)).user());
        assertEquals("2", ok(v.verifyConnectToken(ecToken)).user());
        assertEquals(1, requests.get());
        CompletionStage<ConnectToken> cached = v.verifyConnectToken(rsaToken);
        assertEquals(true, cached.toCompletableFuture().isDone(), "a cached key answers at once");
        clock.advance(Duration.ofMinutes(61));
        ok(v.verifyConnectToken(rsaToken));
        assertEquals(2, requests.get());
    }

    @Test
    void unknownKidRefetchesAtMostOncePerInterval() throws Exception {
        JwtTokenVerifier v = verifier();
        String unknown = signed(JWSAlgorithm.RS256, "rsa-2", new RSASSASigner(rsa), "{}");
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(unknown)));
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(unknown)));
        assertEquals(1, requests.get());
        // The key is rotated in: after the minimum interval the unknown kid triggers a refetch.
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        body.set(new JWKSet(List.of(rsa.toPublicJWK(), rotated.toPublicJWK())).toString(false));
        clock.advance(JwksKeys.MIN_REFETCH);
        ok(v.verifyConnectToken(signed(JWSAlgorithm.RS256, "rsa-2", new RSASSASigner(rotated), "{}")));
        assertEquals(2, requests.get());
    }

    @Test
    void algorithmMustFitTheKeyAndSymmetricJwksKeysAreIgnored() throws Exception {
        JwtTokenVerifier v = verifier();
        // The "ec-1" kid with an RS256 signature, and an HS256 token naming the published oct key.
        String wrongAlg = signed(JWSAlgorithm.RS256, "ec-1", new RSASSASigner(rsa), "{}");
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(wrongAlg)));
        String hs = hmac("HmacSHA256", "{\"alg\":\"HS256\",\"kid\":\"oct-1\"}", "{}",
                "0123456789abcdef0123456789abcdef");
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(hs)));
        // Static keys are ignored once a JWKS is configured.
        assertEquals(TokenException.Kind.INVALID, kind(v.verifyConnectToken(
                hmac("HmacSHA256", "{\"alg\":\"HS256\"}", "{}", "ignored-with-jwks"))));
    }

    @Test
    void expiryStillApplies() throws Exception {
        JwtTokenVerifier v = verifier();
        long past = clock.instant().getEpochSecond() - 1;
        String token = signed(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), "{\"exp\":" + past + "}");
        assertEquals(TokenException.Kind.EXPIRED, kind(v.verifyConnectToken(token)));
    }

    @Test
    void unreachableEndpointIsATemporaryFailureAndStaleKeysAreUsed() throws Exception {
        JwtTokenVerifier v = verifier();
        String token = signed(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), "{}");
        status.set(500);
        assertInstanceOf(JwksUnavailableException.class, failure(v.verifyConnectToken(token)));
        assertEquals(2, requests.get(), "one retry");
        status.set(200);
        ok(v.verifyConnectToken(token));
        status.set(503);
        clock.advance(Duration.ofHours(2));
        ok(v.verifyConnectToken(token));
    }
}
