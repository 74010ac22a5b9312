package dev.herald.bench;

import dev.herald.bench.run.BenchOptions;
import dev.herald.bench.run.Report;
import dev.herald.bench.server.ServerHandle;
import dev.herald.core.config.HeraldConfig;
import dev.herald.server.HeraldServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the load generator from rotting: a small fan-out (a few hundred JWT-authenticated subscribers, a few
 * publications a second through the HTTP API, a few seconds) against an in-process server. Asserts counts and
 * files only; the timings it prints are not checked.
 */
class FanoutSmokeTest {
    private static final int SUBSCRIBERS = 300;
    private static final int RATE = 5;
    private static final int SECONDS = 3;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyPublicationReachesEverySubscriberAndTheReportsAreWritten(@TempDir Path dir) throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.address = "127.0.0.1";
        config.httpServer.port = 0;
        config.client.token.hmacSecretKey = "smoke-test-secret-smoke-test-secret-0123";
        config.httpApi.key = "smoke-test-api-key";
        config.channel.withoutNamespace.allowSubscribeForClient = true;
        config.log.level = "warn";

        BenchOptions options = new BenchOptions();
        options.connections = SUBSCRIBERS;
        options.rate = (double) RATE;
        options.duration = SECONDS;
        options.warmup = 1;
        options.out = dir;
        options.sourceIps = 2;
        options.noGc = true;
        options.settleJit = false; // the server shares the test's JVM: its JIT is not the server's alone

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Report report;
        try (HeraldServer server = HeraldServer.start(config);
             PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            ServerHandle handle = new ServerHandle.Attached("127.0.0.1", server.port(), ProcessHandle.current().pid(),
                    config.client.token.hmacSecretKey, config.httpApi.key, false);
            report = BenchMain.run("fanout", options, handle, out, dir.resolve("run"), "smoke test");
        } finally {
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }

        assertEquals((long) SUBSCRIBERS, report.result("connections_ready"), "subscribers ready");
        assertEquals((long) RATE * SECONDS, report.result("publications_ok"), "publications accepted by the API");
        assertEquals(0L, report.result("publications_failed"));
        long expected = (long) RATE * SECONDS * SUBSCRIBERS;
        assertEquals(expected, report.result("deliveries_expected"));
        assertEquals(expected, report.result("deliveries_received"), "every publication at every subscriber");
        assertEquals(expected, report.latency("delivery (measured)").get("count"));
        assertEquals(0L, report.result("connections_dropped"));

        List<Path> written;
        try (Stream<Path> files = Files.list(dir)) {
            written = files.filter(p -> p.getFileName().toString().startsWith("fanout-")).toList();
        }
        assertTrue(written.stream().anyMatch(p -> p.toString().endsWith(".json")), "JSON report in " + written);
        assertTrue(written.stream().anyMatch(p -> p.toString().endsWith(".md")), "markdown report in " + written);
        for (Path p : written) {
            assertTrue(Files.readString(p).contains("deliveries_received"), p + " holds the results");
        }
    }
}
