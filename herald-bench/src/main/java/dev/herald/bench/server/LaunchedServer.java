package dev.herald.bench.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Herald started by the generator as a separate JVM, optionally pinned to one CPU with {@code taskset}, with a
 * generated config (random HMAC secret and API key, loopback only). The jar is copied into the output directory
 * first, so a rebuild of {@code herald-server/target} during the run cannot change the server under test.
 */
public final class LaunchedServer implements ServerHandle {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final String secret;
    private final String apiKey;
    private final String description;

    /**
     * @param jar        herald.jar, or null to use {@code classpath} with the CLI main class
     * @param cpu        CPU list for taskset ({@code "0"}), or null not to pin
     * @param configTail extra top-level config entries merged into the generated config (JSON object), or null
     */
    public static LaunchedServer launch(Path jar, String classpath, String cpu, List<String> jvmOptions,
                                        String configTail, Path outDir, PrintStream log) throws IOException {
        return launch(jar, classpath, cpu, jvmOptions, configTail, Secrets.random(), outDir, log);
    }

    /** The HMAC secret of connection tokens and the HTTP API key; a cluster's nodes share one pair. */
    public record Secrets(String secret, String apiKey) {
        public static Secrets random() {
            SecureRandom random = new SecureRandom();
            return new Secrets(HexFormat.of().formatHex(random.generateSeed(24)),
                    HexFormat.of().formatHex(random.generateSeed(12)));
        }
    }

    /** As above, with the given secrets. */
    public static LaunchedServer launch(Path jar, String classpath, String cpu, List<String> jvmOptions,
                                        String configTail, Secrets secrets, Path outDir, PrintStream log)
            throws IOException {
        Files.createDirectories(outDir);
        int port = freePort();
        String secret = secrets.secret();
        String apiKey = secrets.apiKey();
        ObjectNode config = JSON.createObjectNode();
        config.putObject("http_server").put("address", "127.0.0.1").put("port", port);
        ObjectNode client = config.putObject("client");
        client.putObject("token").put("hmac_secret_key", secret);
        client.putArray("allowed_origins").add("*");
        config.putObject("http_api").put("key", apiKey);
        config.putObject("channel").putObject("without_namespace").put("allow_subscribe_for_client", true);
        config.putObject("log").put("level", "warn");
        if (configTail != null && !configTail.isBlank()) {
            JSON.readerForUpdating(config).readValue(configTail);
        }
        Path configFile = outDir.resolve("server-config.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(configFile.toFile(), config);

        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        if (cpu != null && !cpu.isEmpty()) {
            cmd.addAll(List.of("taskset", "-c", cpu));
        }
        cmd.add(java);
        cmd.addAll(jvmOptions);
        if (jar != null) {
            Path copy = outDir.resolve("herald-under-test.jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            cmd.addAll(List.of("-jar", copy.toString()));
        } else {
            cmd.addAll(List.of("-cp", classpath, "dev.herald.server.cli.HeraldCli"));
        }
        cmd.addAll(List.of("-c", configFile.toString()));
        Path serverLog = outDir.resolve("server.log");
        log.println("starting server: " + String.join(" ", cmd));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(serverLog.toFile())).start();
        String description = "launched: " + String.join(" ", cmd.subList(0, cmd.size() - 2)).replace(java, "java")
                + " -c server-config.json" + (jar == null ? "" : "; jar " + identify(jar));
        LaunchedServer server = new LaunchedServer(process, port, secret, apiKey, description);
        server.awaitHealthy(Duration.ofSeconds(60), serverLog);
        return server;
    }

    private LaunchedServer(Process process, int port, String secret, String apiKey, String description) {
        this.process = process;
        this.port = port;
        this.secret = secret;
        this.apiKey = apiKey;
        this.description = description;
    }

    private void awaitHealthy(Duration limit, Path serverLog) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + ":\n" + tail(serverLog));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            sleep(200);
        }
        close();
        throw new IOException("server not healthy after " + limit.toSeconds() + " s:\n" + tail(serverLog));
    }

    /** The jar's build time and content hash, and the repository commit it was launched at, for the report. */
    private static String identify(Path jar) {
        String id;
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            try (java.io.InputStream in = Files.newInputStream(jar)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                }
            }
            id = "built " + Files.getLastModifiedTime(jar) + ", sha256 " + HexFormat.of().formatHex(sha.digest())
                    .substring(0, 12);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            id = "(unreadable: " + e.getMessage() + ")";
        }
        try {
            Process git = new ProcessBuilder("git", "log", "-1", "--format=%h %cI").redirectErrorStream(true).start();
            String head = new String(git.getInputStream().readAllBytes()).trim();
            if (git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0) {
                id += ", repository at " + head;
            }
        } catch (IOException | InterruptedException e) {
            // not a git checkout
        }
        return id;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    /** taskset execs java, so the child's pid is the JVM's. */
    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String secret() {
        return secret;
    }

    @Override
    public String apiKey() {
        return apiKey;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean jcmd() {
        return true;
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
