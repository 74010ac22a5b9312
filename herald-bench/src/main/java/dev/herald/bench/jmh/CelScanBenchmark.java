package dev.herald.bench.jmh;

import dev.herald.core.cel.ConnectionExpression;
import dev.herald.core.client.ClientSession;
import dev.herald.protocol.Protocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * A {@code connections} call's CEL work: compile the expression once, evaluate it for every session (15k, as in the
 * sessions target), count the matches. {@link #scan} is a steady call (each session's parsed meta is kept from the
 * earlier ones); {@link #scanFirstCall} first drops every session's parsed meta, as the first call after the
 * connections were made sees them (the ~15k volatile writes that drop them are included, a few tens of us).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CelScanBenchmark {
    @Param({"15000"})
    public int sessions;

    @Param({"meta.shard == 7", "user == \"u77\"", "\"bench\" in channels && meta.shard < 10"})
    public String expression;

    private BenchNode node;

    @Setup(Level.Trial)
    public void setUp() {
        node = new BenchNode(sessions, "bench", Protocol.JSON);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        node.close();
    }

    @Benchmark
    public int scan() {
        ConnectionExpression e = ConnectionExpression.compile(expression);
        int matched = 0;
        for (ClientSession s : node.sessions) {
            if (e.matches(s)) {
                matched++;
            }
        }
        return matched;
    }

    @Benchmark
    public int scanFirstCall() {
        for (ClientSession s : node.sessions) {
            s.parsedMeta(null);
        }
        return scan();
    }
}
