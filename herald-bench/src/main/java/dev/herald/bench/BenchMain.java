package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.bench.run.BenchOptions;
import dev.herald.bench.run.BenchRun;
import dev.herald.bench.run.ClusterScenario;
import dev.herald.bench.run.ConnectionScenarios;
import dev.herald.bench.run.DeliveryScenarios;
import dev.herald.bench.run.Floor;
import dev.herald.bench.run.Report;
import dev.herald.bench.run.SessionsScenario;
import dev.herald.bench.server.LaunchedCluster;
import dev.herald.bench.server.LaunchedServer;
import dev.herald.bench.server.ServerHandle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/bench <scenario> [options]}: runs one load scenario against a server it launches (pinned to one CPU)
 * or attaches to, prints progress lines, and writes a JSON and a markdown report. {@code bin/bench jmh [args]} runs
 * the JMH benchmarks instead.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Herald load generator. Scenarios:",
                "  idle      N subscribed connections left idle: server memory per connection",
                "  fanout    one channel, N subscribers, --rate publications/s: CPU per delivery, latency",
                "  channels  N connections x 2 channels (personal + group of 10), --rate publications/s",
                "  connect   storm of JWT connects: server CPU per connect",
                "  sessions  connections API by user and by CEL over N connections",
                "  cluster   --nodes Herald nodes over one redis-server, N subscribers spread over them: cross-node",
                "            latency, CPU per delivery vs one node, Redis CPU and PUBLISHes, cluster connections",
                "  floor     CPU of one loopback write(2) of a 66-byte frame to 5,000 sockets",
                "  jmh       JMH benchmarks of the hot paths (bin/bench jmh -h for JMH's options)"})
public final class BenchMain implements Callable<Integer> {
    static final List<String> SCENARIOS = List.of("idle", "fanout", "channels", "connect", "sessions", "cluster",
            "floor");

    @Parameters(index = "0", description = "idle | fanout | channels | connect | sessions | cluster | floor | jmh")
    String scenario;

    @Mixin
    BenchOptions options;

    private String[] args = new String[0];

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            JmhRunner.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        BenchMain main = new BenchMain();
        main.args = args;
        int code = new CommandLine(main).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        if (!SCENARIOS.contains(scenario)) {
            System.err.println("unknown scenario " + scenario + "; one of " + SCENARIOS + " or jmh");
            return 2;
        }
        Path runDir = options.reportDir().resolve("runs").resolve(scenario + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
        PrintStream out = System.out;
        try (ServerHandle server = openServer(scenario, options, runDir, out)) {
            Report report = run(scenario, options, server, out, runDir, "bin/bench " + String.join(" ", args));
            return report.targets().stream().anyMatch(t -> Boolean.FALSE.equals(t.met())) ? 1 : 0;
        }
    }

    /**
     * Runs one scenario and writes its reports into {@code options.reportDir()}; used by the CLI and the smoke test.
     */
    public static Report run(String scenario, BenchOptions options, ServerHandle server, PrintStream out,
                             Path runDir, String command) throws Exception {
        Report report = new Report(scenario, command);
        try (BenchRun run = new BenchRun(options, server, report, out, runDir)) {
            switch (scenario) {
                case "idle" -> ConnectionScenarios.idle(run);
                case "fanout" -> DeliveryScenarios.fanout(run);
                case "channels" -> DeliveryScenarios.channels(run);
                case "connect" -> ConnectionScenarios.connect(run);
                case "sessions" -> SessionsScenario.run(run);
                case "cluster" -> ClusterScenario.run(run);
                case "floor" -> Floor.scenario(run);
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        } catch (Exception e) {
            report.note("scenario failed: " + e);
            write(report, options, out);
            throw e;
        }
        write(report, options, out);
        return report;
    }

    private static void write(Report report, BenchOptions options, PrintStream out) throws IOException {
        List<Path> files = report.write(options.reportDir());
        out.println();
        out.println(report.markdown());
        out.println("reports: " + files.get(0) + " and " + files.get(1));
    }

    /**
     * The {@code --url} of a running server, which must be HTTP on a loopback address: the generator's load goes to
     * this machine only (and /proc must show the server's process anyway).
     */
    static URI loopbackUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url " + url + ": " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--url " + url + ": expected http://<loopback host>:<port>");
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                if (!address.isLoopbackAddress()) {
                    throw new IllegalArgumentException("--url " + url + ": " + address.getHostAddress()
                            + " is not a loopback address; the generator only loads this machine");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--url " + url + ": unknown host " + uri.getHost());
        }
        return uri;
    }

    static ServerHandle openServer(String scenario, BenchOptions o, Path runDir, PrintStream out) throws IOException {
        if (scenario.equals("floor")) {
            return new ServerHandle.NoServer();
        }
        if (o.url != null) {
            if (scenario.equals("cluster")) {
                throw new CommandLine.ParameterException(new CommandLine(new BenchMain()),
                        "cluster launches its own redis-server and nodes: --url is not supported");
            }
            if (o.pid == null) {
                throw new CommandLine.ParameterException(new CommandLine(new BenchMain()),
                        "--url needs --pid (the server process to measure)");
            }
            URI uri;
            try {
                uri = loopbackUrl(o.url);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(new BenchMain()), e.getMessage());
            }
            String secret = o.secret;
            String apiKey = o.apiKey;
            if (o.config != null) {
                JsonNode config = new ObjectMapper().readTree(o.config.toFile());
                secret = secret != null ? secret : config.path("client").path("token").path("hmac_secret_key").asText("");
                apiKey = apiKey != null ? apiKey : config.path("http_api").path("key").asText("");
            }
            return new ServerHandle.Attached(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), o.pid,
                    secret == null ? "" : secret, apiKey == null ? "" : apiKey, true);
        }
        Path jar = Files.exists(o.serverJar) ? o.serverJar : null;
        if (jar == null && o.serverClasspath == null) {
            throw new IOException(o.serverJar + " not found: build it (mvn -pl herald-server -am package) "
                    + "or pass --server-classpath, or attach with --url/--pid");
        }
        if (scenario.equals("cluster")) {
            if (o.nodes < 1) {
                throw new CommandLine.ParameterException(new CommandLine(new BenchMain()), "--nodes must be >= 1");
            }
            return LaunchedCluster.launch(new LaunchedCluster.Spec(jar, o.serverClasspath, o.nodes, o.serverCpu,
                    o.redisCpu != null ? o.redisCpu : o.serverCpu, o.serverJvmOptions(), o.serverConfig,
                    o.redisServer), runDir, out);
        }
        return LaunchedServer.launch(jar, o.serverClasspath, o.serverCpu, o.serverJvmOptions(), o.serverConfig,
                runDir, out);
    }
}
