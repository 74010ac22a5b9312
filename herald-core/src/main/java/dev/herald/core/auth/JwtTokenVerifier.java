package dev.herald.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import dev.herald.core.config.FrozenConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Verifies Centrifugo-style JWTs with the keys of {@code client.token}, and subscription tokens with those of
 * {@code client.subscription_token} when that section is {@code enabled} (otherwise with the connection keys).
 *
 * <p>The header's {@code alg} picks the verifier, but only among the algorithms whose key is configured:
 * HS256/384/512 ({@code hmac_secret_key}), RS256/384/512 ({@code rsa_public_key}), ES256/384/512
 * ({@code ecdsa_public_key}, the one matching its curve). With {@code jwks_public_endpoint} set every token is
 * verified through the JWKS (selected by {@code kid}; RSA, EC and Ed25519 keys) and the static keys are ignored,
 * as in Centrifugo. {@code alg: none}, unknown algorithms, unconfigured algorithms and {@code crit} headers are
 * INVALID.
 *
 * <p>Static keys complete the returned stage before this method returns, on the caller's thread. A JWKS miss
 * completes it later on the HTTP client's threads. Failures are {@link TokenException}s, except
 * {@link JwksUnavailableException} when the JWKS endpoint cannot be reached (a temporary error: the token was
 * neither accepted nor refused). Exceptions are delivered unwrapped to {@code whenComplete}/{@code handle}.
 *
 * <p>Construction parses every key once and throws {@link IllegalArgumentException} for a bad one. The hot path
 * (thousands of HS256 connects a second) is {@link CompactJws}: with an HMAC secret configured, a token in the plain
 * HMAC form (three strict base64url parts, a header of only alg/typ/kid/cty) is split, MAC-checked with this
 * thread's keyed {@code Mac} and its claims streamed once, without Nimbus. Every other token (other algorithms,
 * {@code none}, {@code crit}, odd encodings, garbage) goes through Nimbus's parser and the key resolver, so the
 * acceptance rules are the same on both paths.
 */
public final class JwtTokenVerifier implements TokenVerifier {
    private final Side connection;
    private final Side subscription;
    private final Clock clock;

    /** The keys and audience/issuer rules of one kind of token; {@code hmac} is the fast path's key, or null. */
    private record Side(KeyResolver keys, HmacVerifier hmac, String audience, String issuer) {
    }

    @FunctionalInterface
    private interface ClaimsReader<T> {
        T read(Claims claims) throws TokenException;
    }

    public JwtTokenVerifier(FrozenConfig.Client client) {
        this(client, Clock.systemUTC(), null);
    }

    /**
     * @param http the client for JWKS fetches; null creates one when a JWKS endpoint is configured
     */
    public JwtTokenVerifier(FrozenConfig.Client client, Clock clock, HttpClient http) {
        this.clock = clock;
        this.connection = side(client.token, clock, http);
        this.subscription = client.subscriptionToken.enabled ? side(client.subscriptionToken, clock, http) : connection;
    }

    @Override
    public CompletionStage<ConnectToken> verifyConnectToken(String token) {
        return verify(token, connection, Claims::toConnectToken);
    }

    @Override
    public CompletionStage<SubscribeToken> verifySubscribeToken(String token) {
        return verify(token, subscription, Claims::toSubscribeToken);
    }

    /** Whether any key is configured for connection tokens (HMAC, RSA, ECDSA or JWKS). */
    public static boolean hasKeys(FrozenConfig.Token keys) {
        return !keys.hmacSecretKey.isEmpty() || !keys.rsaPublicKey.isEmpty() || !keys.ecdsaPublicKey.isEmpty()
                || !keys.jwksPublicEndpoint.isEmpty();
    }

    private <T> CompletableFuture<T> verify(String token, Side side, ClaimsReader<T> reader) {
        if (side.hmac != null && token != null) {
            try {
                CompactJws compact = CompactJws.parse(token);
                if (compact != null) {
                    return CompletableFuture.completedFuture(finish(compact, side, reader));
                }
            } catch (TokenException e) {
                return CompletableFuture.failedFuture(e);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(
                        new TokenException(TokenException.Kind.INVALID, "malformed token", e));
            }
        }
        JWSObject jws;
        try {
            jws = parse(token);
        } catch (TokenException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        side.keys.resolve(jws.getHeader()).whenComplete((verifier, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            try {
                result.complete(finish(jws, verifier, side, reader));
            } catch (TokenException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(new TokenException(TokenException.Kind.INVALID, "malformed token", e));
            }
        });
        return result;
    }

    /** The fast path: an HS256/384/512 token in the plain form, checked with the configured secret. */
    private <T> T finish(CompactJws jws, Side side, ClaimsReader<T> reader) throws TokenException {
        if (!side.hmac.verify(jws.alg, jws.ascii, jws.signingInputLength, jws.signature)) {
            throw new TokenException(TokenException.Kind.INVALID, "bad signature");
        }
        return claims(jws.payload, side, reader);
    }

    private <T> T claims(byte[] payload, Side side, ClaimsReader<T> reader) throws TokenException {
        Claims claims = Claims.parse(payload);
        claims.checkTimesAndParties(clock.instant(), side.audience, side.issuer);
        return reader.read(claims);
    }

    private <T> T finish(JWSObject jws, JWSVerifier verifier, Side side, ClaimsReader<T> reader)
            throws TokenException {
        boolean valid;
        try {
            valid = verifier.verify(jws.getHeader(), jws.getSigningInput(), jws.getSignature());
        } catch (JOSEException e) {
            valid = false;
        }
        if (!valid) {
            throw new TokenException(TokenException.Kind.INVALID, "bad signature");
        }
        return claims(jws.getPayload().toBytes(), side, reader);
    }

    private static JWSObject parse(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(TokenException.Kind.INVALID, "empty token");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new TokenException(TokenException.Kind.INVALID, "malformed token", e);
        }
        JWSHeader header = jws.getHeader();
        Set<String> critical = header.getCriticalParams();
        if (critical != null && !critical.isEmpty()) {
            throw new TokenException(TokenException.Kind.INVALID, "unsupported critical header " + critical);
        }
        if (!header.isBase64URLEncodePayload()) {
            throw new TokenException(TokenException.Kind.INVALID, "unencoded payload is not supported");
        }
        return jws;
    }

    private static Side side(FrozenConfig.Token keys, Clock clock, HttpClient http) {
        KeyResolver resolver;
        HmacVerifier hmac = null;
        if (!keys.jwksPublicEndpoint.isEmpty()) {
            HttpClient client = http != null ? http
                    : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            resolver = new JwksKeys(URI.create(keys.jwksPublicEndpoint), client, clock);
        } else {
            StaticKeys staticKeys = new StaticKeys(keys);
            hmac = staticKeys.hmac();
            resolver = staticKeys;
        }
        return new Side(resolver, hmac, keys.audience, keys.issuer);
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
