package dev.herald.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keys from a JWKS endpoint, selected by the token's {@code kid}, as Centrifugo does: cached for an hour, fetched
 * with GET, 1 s timeout and one retry. Fetching is asynchronous (the JDK HttpClient's own threads), so the caller's
 * thread never waits; concurrent misses share one fetch. An unknown {@code kid} triggers a refetch (key rotation),
 * but at most once per {@link #MIN_REFETCH} so that a flood of tokens with made-up kids cannot hammer the endpoint.
 * When the endpoint fails, keys of an expired cache are still used (stale beats an outage).
 * Symmetric ({@code oct}) keys and keys whose {@code use} is not {@code sig} are ignored.
 */
final class JwksKeys implements KeyResolver {
    static final Duration TTL = Duration.ofHours(1);
    static final Duration MIN_REFETCH = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);

    private record Entry(JWSVerifier verifier, Set<JWSAlgorithm> algorithms) {
    }

    private record Snapshot(Map<String, Entry> keys, Instant fetchedAt) {
    }

    private final URI endpoint;
    private final HttpClient http;
    private final Clock clock;
    private volatile Snapshot snapshot;
    private final AtomicReference<CompletableFuture<Snapshot>> inflight = new AtomicReference<>();

    JwksKeys(URI endpoint, HttpClient http, Clock clock) {
        this.endpoint = endpoint;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<JWSVerifier> resolve(JWSHeader header) {
        String kid = header.getKeyID();
        if (kid == null || kid.isEmpty()) {
            return invalid("token has no kid header, required with a JWKS");
        }
        Snapshot cached = snapshot;
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.fetchedAt.plus(TTL))) {
            Entry entry = cached.keys.get(kid);
            if (entry != null) {
                return select(entry, header);
            }
            if (now.isBefore(cached.fetchedAt.plus(MIN_REFETCH))) {
                return invalid("unknown kid " + kid);
            }
        }
        return refresh().handle((fresh, error) -> {
            Snapshot source = fresh;
            if (error != null) {
                if (cached == null || !cached.keys.containsKey(kid)) {
                    Throwable cause = error instanceof CompletionException ce && ce.getCause() != null
                            ? ce.getCause() : error;
                    throw new CompletionException(new JwksUnavailableException(
                            "JWKS endpoint " + endpoint + " unavailable: " + cause.getMessage(), cause));
                }
                log.warn("JWKS endpoint {} unavailable ({}), using keys cached at {}", endpoint, error, cached.fetchedAt);
                source = cached;
            }
            Entry entry = source.keys.get(kid);
            if (entry == null) {
                throw new CompletionException(new TokenException(TokenException.Kind.INVALID, "unknown kid " + kid));
            }
            return entry;
        }).thenCompose(entry -> select(entry, header));
    }

    private static CompletableFuture<JWSVerifier> select(Entry entry, JWSHeader header) {
        if (!entry.algorithms.contains(header.getAlgorithm())) {
            return invalid("algorithm " + header.getAlgorithm() + " does not match key " + header.getKeyID());
        }
        return CompletableFuture.completedFuture(entry.verifier);
    }

    private static CompletableFuture<JWSVerifier> invalid(String message) {
        return CompletableFuture.failedFuture(new TokenException(TokenException.Kind.INVALID, message));
    }

    private CompletableFuture<Snapshot> refresh() {
        while (true) {
            CompletableFuture<Snapshot> running = inflight.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<Snapshot> mine = new CompletableFuture<>();
            if (inflight.compareAndSet(null, mine)) {
                fetch(true).whenComplete((fresh, error) -> {
                    if (fresh != null) {
                        snapshot = fresh;
                    }
                    inflight.set(null);
                    if (error != null) {
                        mine.completeExceptionally(error);
                    } else {
                        mine.complete(fresh);
                    }
                });
                return mine;
            }
        }
    }

    private CompletableFuture<Snapshot> fetch(boolean retry) {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT).GET().build();
        CompletableFuture<Snapshot> attempt = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(this::parse);
        return retry ? attempt.exceptionallyCompose(e -> fetch(false)) : attempt;
    }

    private Snapshot parse(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new CompletionException(new IOException("JWKS endpoint answered " + response.statusCode()));
        }
        JWKSet set;
        try {
            set = JWKSet.parse(response.body());
        } catch (java.text.ParseException e) {
            throw new CompletionException(new IOException("malformed JWKS: " + e.getMessage(), e));
        }
        Map<String, Entry> keys = new HashMap<>();
        for (JWK jwk : set.getKeys()) {
            if (jwk.getKeyID() == null || (jwk.getKeyUse() != null && jwk.getKeyUse() != KeyUse.SIGNATURE)) {
                continue;
            }
            try {
                Entry entry = entry(jwk);
                if (entry != null) {
                    keys.put(jwk.getKeyID(), entry);
                }
            } catch (JOSEException | java.security.GeneralSecurityException e) {
                log.warn("skipping JWKS key {}: {}", jwk.getKeyID(), e.getMessage());
            }
        }
        return new Snapshot(Map.copyOf(keys), clock.instant());
    }

    private static Entry entry(JWK jwk) throws JOSEException, java.security.GeneralSecurityException {
        Set<JWSAlgorithm> algorithms;
        JWSVerifier verifier;
        if (jwk instanceof RSAKey rsa) {
            verifier = new RSASSAVerifier(rsa);
            algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512);
        } else if (jwk instanceof ECKey ec) {
            verifier = new ECDSAVerifier(ec);
            algorithms = Set.of(ECDSA.resolveAlgorithm(ec.getCurve()));
        } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            verifier = new Ed25519Verifier(okp.getDecodedX());
            algorithms = Ed25519Verifier.ALGORITHMS;
        } else {
            return null;
        }
        if (jwk.getAlgorithm() != null) {
            JWSAlgorithm declared = JWSAlgorithm.parse(jwk.getAlgorithm().getName());
            algorithms = algorithms.contains(declared) ? Set.of(declared) : Set.of();
        }
        return new Entry(verifier, algorithms);
    }
}
