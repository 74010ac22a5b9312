package dev.herald.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.JwtTokenVerifier;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import dev.herald.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeraldCliTest {
    static final long NOW = 1_700_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HeraldCli.commandLine(env, CLOCK);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    Path genconfig(String name) {
        Path file = dir.resolve(name);
        Run r = run("genconfig", "-c", file.toString());
        assertEquals(0, r.code(), r.err());
        return file;
    }

    static HeraldConfig load(Path file) throws Exception {
        return new ConfigLoader(Map.of()).load(file, true, Map.of()).orThrow(true);
    }

    @Test
    void gentokenPrintsTheSeedLinesAndTheTokenVerifiesWithTheConfigSecret() throws Exception {
        Path config = genconfig("config.json");
        Run r = run("gentoken", "-c", config.toString(), "-u", "42");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.lines();
        assertEquals(2, lines.size(), r.out());
        assertEquals("HMAC SHA-256 JWT for user 42 with expiration TTL 168h0m0s:", lines.get(0));
        String token = lines.get(1);
        assertTrue(token.startsWith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."), token);
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertEquals(JSON.readTree("{\"sub\":\"42\",\"exp\":" + (NOW + 604800) + "}"), claims);

        HeraldConfig cfg = load(config);
        ConnectToken verified = new JwtTokenVerifier(cfg.freeze().client, CLOCK, null).verifyConnectToken(token)
                .toCompletableFuture().join();
        assertEquals("42", verified.user());
        assertEquals(NOW + 604800, verified.expireAt());
        assertEquals(0, verified.issuedAt(), "no iat, as in the seed's token");
    }

    @Test
    void gentokenVariants() {
        String config = genconfig("config.json").toString();
        assertEquals("HMAC SHA-256 JWT for anonymous user with expiration TTL 1h0m0s:",
                run("gentoken", "-c", config, "-t", "3600").lines().getFirst());
        assertEquals("HMAC SHA-256 JWT for anonymous user with expiration TTL 10m0s:",
                run("gentoken", "-c", config, "-u", "", "-t", "600").lines().getFirst());
        assertEquals("HMAC SHA-256 JWT for user 7 with expiration TTL 30s:",
                run("gentoken", "-c", config, "-u", "7", "-t", "30").lines().getFirst());
        Run forever = run("gentoken", "-c", config, "-u", "42", "-t", "-1");
        assertEquals("HMAC SHA-256 JWT for user 42 without expiration:", forever.lines().getFirst());
        assertFalse(new String(Base64.getUrlDecoder().decode(forever.lines().get(1).split("\\.")[1])).contains("exp"));
        Run quiet = run("gentoken", "-c", config, "-u", "42", "-q");
        assertEquals(1, quiet.lines().size());
        assertTrue(quiet.out().startsWith("eyJ"));
    }

    @Test
    void gentokenNeedsASecret() throws Exception {
        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "{}");
        Run r = run("gentoken", "-c", empty.toString(), "-u", "42");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("error: no HMAC secret"), r.err());
        Run missing = run("gentoken", "-c", dir.resolve("missing.json").toString(), "-u", "42");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("not found"), missing.err());
    }

    @Test
    void environmentOverridesTheFileForTools() throws Exception {
        Path config = genconfig("config.json");
        Run r = run(Map.of("HERALD_CLIENT_TOKEN_HMAC_SECRET_KEY", "env-secret"), "gentoken", "-c", config.toString(),
                "-u", "1", "-q");
        HeraldConfig.Client client = new HeraldConfig.Client();
        client.token.hmacSecretKey = "env-secret";
        assertEquals("1", new JwtTokenVerifier(new FrozenConfig.Client(client), CLOCK, null)
                .verifyConnectToken(r.out().strip()).toCompletableFuture().join().user());
    }

    @Test
    void genconfigWritesCentrifugoV6ShapeAndRefusesToOverwrite() throws Exception {
        Path config = genconfig("config.json");
        JsonNode tree = JSON.readTree(config.toFile());
        assertEquals(List.of("client", "admin", "http_api"), iterable(tree.fieldNames()));
        assertEquals(86, tree.at("/client/token/hmac_secret_key").asText().length()); // 64 bytes, base64url
        assertEquals(22, tree.at("/admin/password").asText().length()); // 16 bytes
        assertFalse(tree.at("/admin/enabled").asBoolean(true));
        assertTrue(tree.at("/client/allowed_origins").isArray());
        assertEquals(0, tree.at("/client/allowed_origins").size());
        assertFalse(tree.at("/admin/secret").asText().isEmpty());
        assertFalse(tree.at("/http_api/key").asText().isEmpty());
        String before = Files.readString(config);

        Run again = run("genconfig", "-c", config.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("already exists"), again.err());
        assertEquals(before, Files.readString(config));
    }

    @Test
    void genconfigInYamlAndToml() throws Exception {
        for (String name : List.of("config.yaml", "config.yml", "config.toml")) {
            Path file = genconfig(name);
            HeraldConfig cfg = load(file);
            assertEquals(86, cfg.client.token.hmacSecretKey.length(), name);
            assertFalse(cfg.httpApi.key.isEmpty(), name);
            assertEquals(0, run("gentoken", "-c", file.toString(), "-u", "42").code(), name);
        }
        assertEquals(1, run("genconfig", "-c", dir.resolve("config.ini").toString()).code());
    }

    @Test
    void checktoken() {
        String config = genconfig("config.json").toString();
        String token = run("gentoken", "-c", config, "-u", "42", "-q").out().strip();
        Run ok = run("checktoken", "-c", config, token);
        assertEquals(0, ok.code(), ok.err());
        assertEquals(List.of("valid token for user 42",
                "payload: {\"sub\":\"42\",\"exp\":" + (NOW + 604800) + "}"), ok.lines());
        String anonymous = run("gentoken", "-c", config, "-q").out().strip();
        assertEquals("valid token for anonymous user", run("checktoken", "-c", config, anonymous).lines().getFirst());

        Run bad = run("checktoken", "-c", config, token.substring(0, token.length() - 3) + "abc");
        assertEquals(1, bad.code());
        assertEquals("error: invalid token: bad signature\n", bad.err().replace("\r", ""));
        String expired = run("gentoken", "-c", config, "-u", "42", "-t", "0", "-q").out().strip();
        Run old = run("checktoken", "-c", config, expired);
        assertEquals(1, old.code());
        assertEquals("error: token expired", old.err().strip());
    }

    @Test
    void subscriptionTokens() throws Exception {
        Path config = genconfig("config.json");
        Run gen = run("gensubtoken", "-c", config.toString(), "-u", "42", "-s", "$news", "-t", "60");
        assertEquals(0, gen.code(), gen.err());
        assertEquals("HMAC SHA-256 JWT for user \"42\" and channel \"$news\" with expiration TTL 1m0s:",
                gen.lines().getFirst());
        SubscribeToken t = new JwtTokenVerifier(load(config).freeze().client, CLOCK, null)
                .verifySubscribeToken(gen.lines().get(1)).toCompletableFuture().join();
        assertEquals("$news", t.channel());
        assertEquals(NOW + 60, t.expireAt());
        Run check = run("checksubtoken", "-c", config.toString(), gen.lines().get(1));
        assertEquals("valid subscription token for user \"42\" and channel \"$news\"", check.lines().getFirst());
        // A connection token is not a subscription token (no channel claim), and vice versa.
        String conn = run("gentoken", "-c", config.toString(), "-u", "42", "-q").out().strip();
        assertEquals(1, run("checksubtoken", "-c", config.toString(), conn).code());
        assertEquals(1, run("checktoken", "-c", config.toString(), gen.lines().get(1)).code());
    }

    @Test
    void version() {
        Run r = run("version");
        assertEquals(0, r.code());
        assertTrue(r.out().strip().matches("Herald v\\S+ \\(Java \\S+\\)"), r.out());
    }

    @Test
    void badConfigStopsWithOneMessageListingEveryProblem() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                http_server:
                  port: 99999
                client:
                  ping_interval: 5s
                  pong_timeout: soon
                  channel_limit: -1
                colour: blue
                channel:
                  namespaces:
                    - name: x
                """);
        for (String command : List.of("serve", "checkconfig")) {
            Run r = run(command, "-c", bad.toString());
            assertEquals(1, r.code(), command);
            assertEquals("", r.out(), command);
            String err = r.err().replace("\r", "");
            assertTrue(err.contains("warning: unknown config key colour\n"), err);
            String message = err.substring(err.indexOf("invalid configuration"));
            assertEquals("""
                    invalid configuration (4 problems):
                      - client.pong_timeout: invalid duration "soon"
                      - http_server.port: 99999 is not a port number (0-65535)
                      - channel.namespaces[0].name: "x" must match ^[-a-zA-Z0-9_.]{2,}$
                      - client.channel_limit must not be negative (got -1)
                    """, message, command);
        }
        Run strict = run("checkconfig", "--strict", "-c", bad.toString());
        assertTrue(strict.err().contains("(5 problems)"), strict.err());
    }

    @Test
    void checkconfigAcceptsAGoodConfig() {
        String config = genconfig("config.toml").toString();
        Run r = run("checkconfig", "-c", config);
        assertEquals(0, r.code(), r.err());
        assertEquals("config " + config + " is valid", r.out().strip());
    }

    @Test
    void defaultconfigAndDefaultenv() throws Exception {
        Run printed = run("defaultconfig");
        assertEquals(0, printed.code());
        JsonNode tree = JSON.readTree(printed.out());
        assertEquals(8000, tree.at("/http_server/port").asInt());
        assertEquals("25s", tree.at("/client/ping_interval").asText());
        Path file = dir.resolve("defaults.yaml");
        assertEquals(0, run("defaultconfig", "-c", file.toString()).code());
        assertEquals(8000, load(file).httpServer.port);
        assertEquals(1, run("defaultconfig", "-c", file.toString()).code());

        Run env = run("defaultenv");
        assertTrue(env.lines().contains("HERALD_HTTP_SERVER_PORT=8000"), env.out());
        assertTrue(env.lines().contains("HERALD_UNI_HTTP_STREAM_ENABLED=false"));
        assertTrue(env.lines().contains("HERALD_CLIENT_TOKEN_HMAC_SECRET_KEY=''"));
        assertTrue(env.lines().stream().allMatch(l -> l.startsWith("HERALD_")));
    }

    @Test
    void serveFlagsBeforeAndAfterTheSubcommandBeatEnvAndFile() {
        CommandLine cli = HeraldCli.commandLine(Map.of(), CLOCK);
        CommandLine.ParseResult parsed = cli.parseArgs("-p", "9001", "--client.insecure", "serve",
                "--admin.enabled=false", "--uni_http_stream.enabled", "-p", "9002");
        HeraldCli root = (HeraldCli) parsed.commandSpec().userObject();
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
        Map<String, String> overrides = serve.options.over(root.serveOptions).overrides();
        assertEquals(Map.of("http_server.port", "9002", "client.insecure", "true", "admin.enabled", "false",
                "uni_http_stream.enabled", "true"), overrides);

        Map<String, String> env = Map.of("HERALD_HTTP_SERVER_PORT", "9000", "HERALD_ADMIN_ENABLED", "true",
                "HERALD_HTTP_API_KEY", "k");
        HeraldConfig c = new ConfigLoader(env).load(dir.resolve("absent.json"), false, overrides).config();
        assertEquals(9002, c.httpServer.port);
        assertTrue(c.client.insecure);
        assertFalse(c.admin.enabled);
        assertTrue(c.uniHttpStream.enabled);
        assertEquals("k", c.httpApi.key);
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
