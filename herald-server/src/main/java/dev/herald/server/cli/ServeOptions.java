package dev.herald.server.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of the server run, with Centrifugo v6 flag names. Each flag sets one config key path and beats the
 * environment and the file. Boolean flags take an optional value ({@code --admin.enabled},
 * {@code --admin.enabled=false}).
 */
final class ServeOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (JSON, YAML or TOML), default config.json; defaults are used when that is absent.")
    Path config;

    @Option(names = {"-p", "--http_server.port"}, paramLabel = "PORT", description = "HTTP port (default 8000).")
    String port;

    @Option(names = {"-a", "--http_server.address"}, paramLabel = "ADDRESS", description = "Listen address.")
    String address;

    @Option(names = "--client.insecure", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Development mode: no token needed, every channel open. Never in production.")
    String clientInsecure;

    @Option(names = "--http_api.insecure", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Server API without API key.")
    String httpApiInsecure;

    @Option(names = "--admin.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Enable the admin web UI (not supported yet: true is refused).")
    String adminEnabled;

    @Option(names = "--admin.insecure", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Admin web UI without login (no admin UI yet).")
    String adminInsecure;

    @Option(names = "--uni_http_stream.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Enable the unidirectional HTTP streaming transport.")
    String uniHttpStream;

    @Option(names = "--uni_sse.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Enable the unidirectional SSE transport.")
    String uniSse;

    @Option(names = "--uni_websocket.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Enable the unidirectional WebSocket transport.")
    String uniWebsocket;

    @Option(names = "--http_stream.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Enable the bidirectional HTTP streaming emulation.")
    String httpStream;

    @Option(names = "--sse.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Enable the bidirectional SSE emulation.")
    String sse;

    @Option(names = "--prometheus.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Serve /metrics.")
    String prometheus;

    @Option(names = "--health.enabled", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Serve /health.")
    String health;

    @Option(names = "--engine.type", paramLabel = "TYPE", description = "Engine: memory (default; redis and nats are not supported yet).")
    String engineType;

    @Option(names = "--log.level", paramLabel = "LEVEL",
            description = "trace, debug, info (default), warn, error, fatal or none.")
    String logLevel;

    /** These options with {@code outer}'s (given before the subcommand, {@code herald -p 9000 serve}) underneath. */
    ServeOptions over(ServeOptions outer) {
        ServeOptions merged = new ServeOptions();
        merged.config = config != null ? config : outer.config;
        merged.inherited.putAll(outer.overrides());
        merged.inherited.putAll(overrides());
        return merged;
    }

    private final Map<String, String> inherited = new LinkedHashMap<>();

    /** Flag values by config key path, only for the flags given. */
    Map<String, String> overrides() {
        Map<String, String> out = new LinkedHashMap<>(inherited);
        put(out, "http_server.port", port);
        put(out, "http_server.address", address);
        put(out, "client.insecure", clientInsecure);
        put(out, "http_api.insecure", httpApiInsecure);
        put(out, "admin.enabled", adminEnabled);
        put(out, "admin.insecure", adminInsecure);
        put(out, "uni_http_stream.enabled", uniHttpStream);
        put(out, "uni_sse.enabled", uniSse);
        put(out, "uni_websocket.enabled", uniWebsocket);
        put(out, "http_stream.enabled", httpStream);
        put(out, "sse.enabled", sse);
        put(out, "prometheus.enabled", prometheus);
        put(out, "health.enabled", health);
        put(out, "engine.type", engineType);
        put(out, "log.level", logLevel);
        return out;
    }

    private static void put(Map<String, String> out, String path, String value) {
        if (value != null) {
            out.put(path, value);
        }
    }
}
