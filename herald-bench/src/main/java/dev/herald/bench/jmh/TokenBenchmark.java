package dev.herald.bench.jmh;

import dev.herald.bench.load.Tokens;
import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.JwtTokenVerifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/** HS256 connection token verification as a connect does it: parse, MAC, claims. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenBenchmark {
    private JwtTokenVerifier verifier;
    private String token;
    private String tokenWithMeta;

    @Setup
    public void setUp() {
        verifier = new JwtTokenVerifier(BenchNode.config().client);
        Tokens tokens = new Tokens(BenchNode.SECRET, System.currentTimeMillis() / 1000 + 24 * 3600);
        token = tokens.sign("42", null);
        tokenWithMeta = tokens.sign("42", "{\"shard\":7,\"device\":\"ios\",\"tags\":[\"beta\"]}");
    }

    @Benchmark
    public ConnectToken verifyHs256() {
        return verifier.verifyConnectToken(token).toCompletableFuture().join();
    }

    @Benchmark
    public ConnectToken verifyHs256WithMeta() {
        return verifier.verifyConnectToken(tokenWithMeta).toCompletableFuture().join();
    }
}
