package dev.herald.server.config;

import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    static ConfigLoader.Result load(Path file, Map<String, String> env, Map<String, String> flags) {
        return new ConfigLoader(env).load(file, true, flags);
    }

    @Test
    void jsonWithCentrifugoV6Keys() throws IOException {
        Path file = write("config.json", """
                {"client": {"token": {"hmac_secret_key": "s3cret"}, "allowed_origins": ["http://a"],
                            "ping_interval": "20s", "pong_timeout": 5, "expired_close_delay": "1m30s"},
                 "http_server": {"port": 9000},
                 "http_api": {"key": "api"},
                 "admin": {"enabled": true, "password": "p", "secret": "s"},
                 "uni_http_stream": {"enabled": true},
                 "channel": {"without_namespace": {"presence": true, "history_size": 10, "history_ttl": "300s"},
                             "namespaces": [{"name": "chat", "join_leave": true, "history_meta_ttl": "168h"}]}}
                """);
        ConfigLoader.Result r = load(file, Map.of(), Map.of());
        assertEquals(List.of(), r.errors());
        assertEquals(List.of(), r.unknownKeys());
        HeraldConfig c = r.config();
        assertEquals(file, r.source());
        assertEquals("s3cret", c.client.token.hmacSecretKey);
        assertEquals(List.of("http://a"), c.client.allowedOrigins);
        assertEquals(Duration.ofSeconds(20), c.client.pingInterval);
        assertEquals(Duration.ofSeconds(5), c.client.pongTimeout);
        assertEquals(Duration.ofSeconds(90), c.client.expiredCloseDelay);
        assertEquals(9000, c.httpServer.port);
        assertEquals("api", c.httpApi.key);
        assertTrue(c.admin.enabled);
        assertTrue(c.uniHttpStream.enabled);
        assertTrue(c.channel.withoutNamespace.presence);
        assertEquals(Duration.ofMinutes(5), c.channel.withoutNamespace.historyTtl);
        assertEquals("chat", c.channel.namespaces.getFirst().name);
        assertTrue(c.channel.namespaces.getFirst().joinLeave);
        assertEquals(Duration.ofHours(168), c.channel.namespaces.getFirst().historyMetaTtl);
        // Untouched options keep their defaults.
        assertEquals(Duration.ofSeconds(10), c.client.staleCloseDelay);
        assertTrue(c.prometheus.enabled);
    }

    @Test
    void yamlAndToml() throws Exception {
        String expectedSecret = "from-file";
        Path yaml = write("config.yaml", """
                client:
                  token:
                    hmac_secret_key: from-file
                  allowed_origins:
                    - https://x
                http_server:
                  port: 8100
                channel:
                  namespaces:
                    - name: chat
                      presence: true
                """);
        Path yml = write("c.yml", "http_api:\n  key: k\n");
        Path toml = write("config.toml", """
                [client.token]
                hmac_secret_key = "from-file"

                [client]
                ping_interval = "30s"

                [http_server]
                port = 8200

                [[channel.namespaces]]
                name = "chat"
                presence = true
                """);
        HeraldConfig fromYaml = load(yaml, Map.of(), Map.of()).orThrow(true);
        assertEquals(expectedSecret, fromYaml.client.token.hmacSecretKey);
        assertEquals(List.of("https://x"), fromYaml.client.allowedOrigins);
        assertEquals(8100, fromYaml.httpServer.port);
        assertTrue(fromYaml.channel.namespaces.getFirst().presence);
        assertEquals("k", load(yml, Map.of(), Map.of()).orThrow(true).httpApi.key);
        HeraldConfig fromToml = load(toml, Map.of(), Map.of()).orThrow(true);
        assertEquals(expectedSecret, fromToml.client.token.hmacSecretKey);
        assertEquals(Duration.ofSeconds(30), fromToml.client.pingInterval);
        assertEquals(8200, fromToml.httpServer.port);
        assertEquals("chat", fromToml.channel.namespaces.getFirst().name);
    }

    @Test
    void flagsBeatEnvWhichBeatsTheFile() throws Exception {
        Path file = write("config.json", """
                {"http_server": {"port": 9000, "address": "file"}, "http_api": {"key": "file"},
                 "client": {"allowed_origins": ["file"]}}""");
        Map<String, String> env = Map.of(
                "HERALD_HTTP_SERVER_PORT", "9001",
                "HERALD_HTTP_SERVER_ADDRESS", "env",
                "HERALD_HTTP_API_KEY", "env-key",
                "HERALD_UNI_HTTP_STREAM_ENABLED", "1",
                "HERALD_CLIENT_TOKEN_HMAC_SECRET_KEY", "env-secret",
                "HERALD_CLIENT_ALLOWED_ORIGINS", "https://a https://b",
                "HERALD_CLIENT_PING_INTERVAL", "1m",
                "HERALD_ADMIN_ENABLED", "",
                "HERALD_PROMETHEUS_ENABLED", "false");
        HeraldConfig c = load(file, env, Map.of("http_server.port", "9002")).orThrow(true);
        assertEquals(9002, c.httpServer.port);
        assertEquals("env", c.httpServer.address);
        assertEquals("env-key", c.httpApi.key);
        assertTrue(c.uniHttpStream.enabled);
        assertEquals("env-secret", c.client.token.hmacSecretKey);
        assertEquals(List.of("https://a", "https://b"), c.client.allowedOrigins);
        assertEquals(Duration.ofMinutes(1), c.client.pingInterval);
        assertFalse(c.admin.enabled, "an empty variable is unset");
        assertFalse(c.prometheus.enabled);
    }

    @Test
    void namespacesFromEnvAsJsonAndPerNameOptions() throws Exception {
        Map<String, String> env = Map.of(
                "HERALD_CHANNEL_NAMESPACES", "[{\"name\":\"chat\",\"presence\":true},{\"name\":\"my-ns\"}]",
                "HERALD_CHANNEL_NAMESPACES_CHAT_HISTORY_SIZE", "10",
                "HERALD_CHANNEL_NAMESPACES_MY_NS_HISTORY_TTL", "5m");
        HeraldConfig c = new ConfigLoader(env).load(null, false, Map.of()).orThrow(false);
        assertEquals(2, c.channel.namespaces.size());
        assertTrue(c.channel.namespaces.get(0).presence);
        assertEquals(10, c.channel.namespaces.get(0).historySize);
        assertEquals(Duration.ofMinutes(5), c.channel.namespaces.get(1).historyTtl);
    }

    @Test
    void unknownKeysAreWarningsUnlessStrict() throws Exception {
        Path file = write("config.json", """
                {"http_server": {"port": 8000, "prot": 1}, "tokn": {}, "channel": {"namespaces": [{"name": "ab", "precense": true}]}}""");
        ConfigLoader.Result r = load(file, Map.of("HERALD_HTTP_API_KY", "x", "HERALD_JAVA_OPTS", "-Xmx1g"), Map.of());
        assertEquals(List.of(), r.errors());
        assertEquals(List.of("http_server.prot", "tokn", "channel.namespaces[0].precense", "HERALD_HTTP_API_KY"),
                r.unknownKeys());
        assertTrue(r.warnings().contains("unknown config key tokn"));
        assertTrue(r.warnings().contains("unknown environment variable HERALD_HTTP_API_KY"));
        r.orThrow(false);
        ConfigException strict = assertThrows(ConfigException.class, () -> r.orThrow(true));
        assertEquals(4, strict.problems().size());
    }

    @Test
    void badValuesAreCollectedWithTheirPaths() throws IOException {
        Path file = write("config.json", """
                {"http_server": {"port": "eighty"}, "client": {"ping_interval": "soon", "insecure": "maybe",
                 "channel_limit": 1.5, "allowed_origins": "x", "token": 5},
                 "channel": {"namespaces": {"name": "x"}}}""");
        ConfigLoader.Result r = load(file, Map.of("HERALD_ADMIN_ENABLED", "yes", "HERALD_CLIENT_PONG_TIMEOUT", "3x"),
                Map.of());
        Set<String> paths = new HashSet<>();
        r.errors().forEach(e -> paths.add(e.substring(0, e.indexOf(':'))));
        assertEquals(Set.of("http_server.port", "client.ping_interval", "client.insecure", "client.channel_limit",
                "client.allowed_origins", "client.token", "channel.namespaces", "HERALD_ADMIN_ENABLED",
                "HERALD_CLIENT_PONG_TIMEOUT"), paths, String.join("\n", r.errors()));
        ConfigException e = assertThrows(ConfigException.class, () -> r.orThrow(false));
        assertTrue(e.getMessage().startsWith("invalid configuration (9 problems):\n  - "), e.getMessage());
    }

    @Test
    void missingFile() {
        ConfigLoader.Result explicit = new ConfigLoader(Map.of()).load(dir.resolve("nope.json"), true, Map.of());
        assertEquals(1, explicit.errors().size());
        assertTrue(explicit.errors().getFirst().contains("not found"));
        ConfigLoader.Result implicit = new ConfigLoader(Map.of()).load(dir.resolve("config.json"), false, Map.of());
        assertEquals(List.of(), implicit.errors());
        assertNull(implicit.source());
        assertEquals(8000, implicit.config().httpServer.port);
        assertTrue(implicit.notes().getFirst().contains("using defaults"));
    }

    @Test
    void malformedFilesAndUnknownFormats() throws IOException {
        ConfigLoader.Result json = load(write("bad.json", "{\"a\": "), Map.of(), Map.of());
        assertTrue(json.errors().getFirst().contains("is not valid JSON"), json.errors().toString());
        ConfigLoader.Result ini = load(write("config.ini", "a=b"), Map.of(), Map.of());
        assertTrue(ini.errors().getFirst().contains("unknown format"), ini.errors().toString());
        assertEquals(List.of(), load(write("empty.yaml", ""), Map.of(), Map.of()).errors());
    }

    @Test
    void everyLeafHasAUniqueEnvNameAndDefaultEnvListsThem() {
        Map<String, String> env = ConfigLoader.defaultEnv();
        assertEquals(ConfigModel.leaves().size(), env.size());
        assertEquals("8000", env.get("HERALD_HTTP_SERVER_PORT"));
        assertEquals("25s", env.get("HERALD_CLIENT_PING_INTERVAL"));
        assertEquals("false", env.get("HERALD_UNI_HTTP_STREAM_ENABLED"));
        assertEquals("", env.get("HERALD_CLIENT_TOKEN_HMAC_SECRET_KEY"));
        assertEquals("720h0m0s", env.get("HERALD_CHANNEL_HISTORY_META_TTL"));
        assertTrue(env.containsKey("HERALD_CHANNEL_WITHOUT_NAMESPACE_ALLOW_SUBSCRIBE_FOR_CLIENT"));
        assertTrue(env.containsKey("HERALD_CHANNEL_NAMESPACES"));
    }

    @Test
    void defaultsRoundTripThroughEveryFormat() {
        for (ConfigFormat format : ConfigFormat.values()) {
            HeraldConfig original = new HeraldConfig();
            HeraldConfig.Namespace ns = new HeraldConfig.Namespace();
            ns.name = "chat";
            ns.historySize = 5;
            ns.historyTtl = Duration.ofMillis(1500);
            original.channel.namespaces.add(ns);
            String text = format.write(ConfigBinder.toTree(original));
            Path file = dir.resolve("round." + format.name().toLowerCase());
            try {
                Files.writeString(file, text);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            ConfigLoader.Result r = load(file, Map.of(), Map.of());
            assertEquals(List.of(), r.errors(), format + "\n" + text);
            assertEquals(List.of(), r.unknownKeys(), format + "\n" + text);
            assertEquals(ConfigBinder.toTree(original), ConfigBinder.toTree(r.config()), format + "\n" + text);
        }
    }
}
