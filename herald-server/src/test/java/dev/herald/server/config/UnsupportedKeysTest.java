package dev.herald.server.config;

import dev.herald.core.config.ConfigValidator;
import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every key Herald parses but does not act on yet is refused by name when set (issue 11, "config that never
 * lies"), while its default value still loads and validates, so {@code defaultconfig} output stays valid.
 */
class UnsupportedKeysTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            engine.type nats           | {"engine": {"type": "nats"}}                                       | engine.type: "nats" is not one of memory|redis (nats is a broker
            redis unused               | {"engine": {"redis": {"address": ["redis://h:1"]}}}                | engine.redis.address: not used, because engine.type is "memory"
            redis sentinel             | {"engine": {"type": "redis", "redis": {"sentinel_address": ["h:26379"]}}} | engine.redis.sentinel_address: Redis Sentinel is not supported yet
            redis cluster              | {"engine": {"type": "redis", "redis": {"cluster_address": ["h:7000"]}}}   | engine.redis.cluster_address: Redis Cluster is not supported yet
            redis tls                  | {"engine": {"type": "redis", "redis": {"tls": {"enabled": true}}}}        | engine.redis.tls.enabled: TLS to Redis is not supported yet
            rediss address             | {"engine": {"type": "redis", "redis": {"address": "rediss://h:1"}}}       | engine.redis.address: rediss://h:1: TLS to Redis (rediss://) is not supported yet
            redis lists                | {"engine": {"type": "redis", "redis": {"history_use_lists": true}}}      | engine.redis.history_use_lists: history in Redis lists (streams are used) is not supported yet
            broker presence ttl        | {"broker": {"enabled": true, "type": "redis", "redis": {"presence_ttl": "5s"}}} | broker.redis.presence_ttl: a broker keeps no presence
            broker off                 | {"broker": {"type": "nats"}}                                       | broker.type: "nats" is set but broker.enabled is false
            nats wildcards             | {"broker": {"enabled": true, "type": "nats", "nats": {"allow_wildcards": true}}} | broker.nats.allow_wildcards: wildcard subscriptions over NATS is not supported yet
            nats raw mode              | {"broker": {"enabled": true, "type": "nats", "nats": {"raw_mode": {"enabled": true}}}} | broker.nats.raw_mode.enabled: NATS raw mode is not supported yet
            presence kafka             | {"presence_manager": {"enabled": true, "type": "kafka"}}           | presence_manager.type: "kafka" is not one of memory|redis
            admin.enabled              | {"admin": {"enabled": true, "password": "p", "secret": "s"}}       | admin.enabled: the admin web UI is not supported yet
            refresh proxy enabled      | {"client": {"proxy": {"refresh": {"enabled": true}}}}              | client.proxy.refresh.enabled: the refresh proxy is not supported yet
            refresh proxy endpoint     | {"client": {"proxy": {"refresh": {"endpoint": "http://a/r"}}}}     | client.proxy.refresh.endpoint: the refresh proxy is not supported yet
            refresh proxy http_headers | {"client": {"proxy": {"refresh": {"http_headers": ["Cookie"]}}}}   | client.proxy.refresh.http_headers: the refresh proxy is not supported yet
            refresh proxy meta         | {"client": {"proxy": {"refresh": {"include_connection_meta": true}}}} | client.proxy.refresh.include_connection_meta: the refresh proxy is not supported yet
            connect proxy meta         | {"client": {"proxy": {"connect": {"include_connection_meta": true}}}} | client.proxy.connect.include_connection_meta is not supported
            client.token.enabled       | {"client": {"token": {"enabled": true, "hmac_secret_key": "k"}}}   | client.token.enabled is not supported
            uni_websocket body size    | {"uni_websocket": {"max_request_body_size": 1024}}                 | uni_websocket.max_request_body_size is not supported
            """)
    void aSetUnsupportedKeyIsRefusedByName(String label, String json, String expected) throws IOException {
        List<String> errors = errors(json);
        assertEquals(1, errors.size(), label + ": " + errors);
        assertTrue(errors.getFirst().startsWith(expected), label + ": " + errors.getFirst());
    }

    @Test
    void theEnginesHeraldImplementsAreAccepted() throws IOException {
        assertEquals(List.of(), errors("""
                {"engine": {"type": "redis", "redis": {"address": ["redis://127.0.0.1:6379", "127.0.0.1:6380"],
                                                       "prefix": "app", "presence_ttl": "30s"}}}"""));
        assertEquals(List.of(), errors("""
                {"broker": {"enabled": true, "type": "nats", "nats": {"url": "nats://127.0.0.1:4222"}},
                 "presence_manager": {"enabled": true, "type": "redis", "redis": {"address": "127.0.0.1:6379"}}}"""));
    }

    @Test
    void theirDefaultsAreAccepted() throws IOException {
        assertEquals(List.of(), errors("""
                {"engine": {"type": "memory"},
                 "admin": {"enabled": false, "insecure": false, "password": "p", "secret": "s"},
                 "client": {"token": {"enabled": false},
                            "proxy": {"refresh": {"enabled": false, "endpoint": "", "timeout": "1s",
                                                  "http_headers": [], "include_connection_meta": false},
                                      "connect": {"include_connection_meta": false}}},
                 "uni_websocket": {"max_request_body_size": 65536}}"""));
    }

    @Test
    void theDefaultConfigAsWrittenIsValid() throws IOException {
        for (ConfigFormat format : ConfigFormat.values()) {
            Path file = dir.resolve("defaults." + format.name().toLowerCase());
            Files.writeString(file, ConfigWriter.write(new HeraldConfig(), format));
            ConfigLoader.Result r = new ConfigLoader(Map.of()).load(file, true, Map.of());
            assertEquals(List.of(), r.errors(), format.name());
            assertEquals(List.of(), ConfigValidator.validate(r.config()), format.name());
        }
    }

    @ParameterizedTest
    @CsvSource({"controller"})
    void aSeparateControllerSectionTurnedOnIsALoadErrorNotAnUnknownKey(String section) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"" + section + "\": {\"enabled\": true, \"type\": \"redis\"}}");
        ConfigLoader.Result r = new ConfigLoader(Map.of()).load(file, true, Map.of());
        assertEquals(1, r.errors().size(), r.errors().toString());
        assertTrue(r.errors().getFirst().startsWith(section + ".enabled: a separate "), r.errors().getFirst());
        assertTrue(r.errors().getFirst().contains("is not supported"), r.errors().getFirst());
        assertEquals(List.of(), r.unknownKeys());

        String env = ConfigModel.envName(section + ".enabled");
        ConfigLoader.Result fromEnv = new ConfigLoader(Map.of(env, "true")).load(null, false, Map.of());
        assertEquals(1, fromEnv.errors().size(), fromEnv.errors().toString());
        assertTrue(fromEnv.errors().getFirst().startsWith(env + ": " + section + ".enabled"));

        // Off, the section is only an unknown key, as before.
        Files.writeString(file, "{\"" + section + "\": {\"enabled\": false}}");
        ConfigLoader.Result off = new ConfigLoader(Map.of()).load(file, true, Map.of());
        assertEquals(List.of(), off.errors());
        assertEquals(List.of(section), off.unknownKeys());
    }

    private List<String> errors(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        ConfigLoader.Result r = new ConfigLoader(Map.of()).load(file, true, Map.of());
        assertEquals(List.of(), r.errors());
        assertEquals(List.of(), r.unknownKeys());
        return ConfigValidator.validate(r.config());
    }
}
