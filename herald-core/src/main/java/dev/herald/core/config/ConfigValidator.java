package dev.herald.core.config;

import dev.herald.core.keys.PemKeys;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a bound {@link HeraldConfig} and reports every problem at once, so a bad config stops start-up with one
 * message rather than one problem per attempt. Errors stop start-up; warnings are logged.
 *
 * <p>Decisions worth knowing: no numeric option may be negative (checked by walking the model, so new options are
 * covered); {@code history_size} and {@code history_ttl} must be set together (an error, as in Centrifugo: half a
 * history config silently disables history); namespace names follow Centrifugo's {@code ^[-a-zA-Z0-9_.]{2,}$}
 * (Centrifugo allows the dot, so Herald does too).
 */
public final class ConfigValidator {
    private static final Pattern NAMESPACE_NAME = Pattern.compile("^[-a-zA-Z0-9_.]{2,}$");
    private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error", "fatal", "none");
    /** Headers the connect proxy's HTTP client sets itself (or may not set): forwarding them cannot work. */
    private static final Set<String> UNFORWARDABLE_HEADERS = Set.of("connection", "content-length", "content-type",
            "expect", "host", "upgrade");

    /** What is wrong ({@code errors}) and what is merely risky ({@code warnings}) in a config. */
    public record Report(List<String> errors, List<String> warnings) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigValidator() {
    }

    /** Every error in {@code config}; empty when it may be started. */
    public static List<String> validate(HeraldConfig config) {
        return check(config).errors();
    }

    public static Report check(HeraldConfig config) {
        ConfigValidator v = new ConfigValidator();
        v.httpServer(config.httpServer);
        v.client(config.client);
        v.channel(config.channel);
        v.other(config);
        v.unsupported(config);
        v.nonNegative(config, "");
        return new Report(List.copyOf(v.errors), List.copyOf(v.warnings));
    }

    private void httpServer(HeraldConfig.HttpServer s) {
        if (s.port < 0 || s.port > 65535) {
            errors.add("http_server.port: " + s.port + " is not a port number (0-65535)");
        }
    }

    private void client(HeraldConfig.Client c) {
        positive("client.ping_interval", c.pingInterval);
        positive("client.pong_timeout", c.pongTimeout);
        if (c.pingInterval != null && c.pongTimeout != null && c.pingInterval.compareTo(c.pongTimeout) <= 0) {
            errors.add("client.ping_interval (" + c.pingInterval.toSeconds() + "s) must be greater than "
                    + "client.pong_timeout (" + c.pongTimeout.toSeconds() + "s)");
        }
        if (c.queueMaxSize <= 0) {
            errors.add("client.queue_max_size must be positive");
        }
        keys("client.token", c.token);
        if (c.subscriptionToken.enabled) {
            keys("client.subscription_token", c.subscriptionToken);
            if (!hasKeys(c.subscriptionToken)) {
                errors.add("client.subscription_token.enabled is set but no key is configured "
                        + "(hmac_secret_key, rsa_public_key, ecdsa_public_key or jwks_public_endpoint)");
            }
        } else if (hasKeys(c.subscriptionToken) || !c.subscriptionToken.audience.isEmpty()
                || !c.subscriptionToken.issuer.isEmpty()) {
            warnings.add("client.subscription_token has keys but client.subscription_token.enabled is off: "
                    + "subscription tokens are verified with client.token's keys");
        }
        if (c.allowedOrigins.contains("*")) {
            warnings.add("client.allowed_origins contains \"*\": every origin is allowed");
        }
        if (c.insecure) {
            warnings.add("client.insecure is on: no token needed, every channel open. Never use it in production");
        }
        proxy("client.proxy.connect", c.proxy.connect);
    }

    private void keys(String path, HeraldConfig.Token t) {
        if (!t.rsaPublicKey.isEmpty()) {
            try {
                PemKeys.rsaPublicKey(t.rsaPublicKey);
            } catch (IllegalArgumentException e) {
                errors.add(path + ".rsa_public_key: " + e.getMessage());
            }
        }
        if (!t.ecdsaPublicKey.isEmpty()) {
            try {
                PemKeys.ecPublicKey(t.ecdsaPublicKey);
            } catch (IllegalArgumentException e) {
                errors.add(path + ".ecdsa_public_key: " + e.getMessage());
            }
        }
        if (!t.jwksPublicEndpoint.isEmpty() && !httpUrl(t.jwksPublicEndpoint)) {
            errors.add(path + ".jwks_public_endpoint: not an http(s) URL: " + t.jwksPublicEndpoint);
        }
        if (!t.hmacSecretKey.isEmpty() && t.hmacSecretKey.length() < 32) {
            warnings.add(path + ".hmac_secret_key is shorter than 32 characters; use a longer random secret");
        }
    }

    private static boolean hasKeys(HeraldConfig.Token t) {
        return !t.hmacSecretKey.isEmpty() || !t.rsaPublicKey.isEmpty() || !t.ecdsaPublicKey.isEmpty()
                || !t.jwksPublicEndpoint.isEmpty();
    }

    private void proxy(String path, HeraldConfig.Proxy p) {
        if (!p.enabled) {
            return;
        }
        if (p.endpoint.isEmpty()) {
            errors.add(path + " is enabled but " + path + ".endpoint is empty");
        } else if (!httpUrl(p.endpoint) && !p.endpoint.startsWith("grpc://")) {
            errors.add(path + ".endpoint: not an http(s):// or grpc:// URL: " + p.endpoint);
        }
        positive(path + ".timeout", p.timeout);
        for (String header : p.httpHeaders) {
            if (header == null || header.isBlank() || UNFORWARDABLE_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
                errors.add(path + ".http_headers: \"" + header + "\" cannot be forwarded (the proxy request sets "
                        + "its own " + String.join(", ", sorted(UNFORWARDABLE_HEADERS)) + ")");
            }
        }
    }

    private void channel(HeraldConfig.Channel ch) {
        if (ch.maxLength <= 0) {
            errors.add("channel.max_length must be positive");
        }
        options("channel.without_namespace", ch.withoutNamespace);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ch.namespaces.size(); i++) {
            HeraldConfig.Namespace ns = ch.namespaces.get(i);
            String path = "channel.namespaces[" + i + "]";
            if (ns == null) {
                errors.add(path + " is null");
                continue;
            }
            if (ns.name == null || !NAMESPACE_NAME.matcher(ns.name).matches()) {
                errors.add(path + ".name: \"" + ns.name + "\" must match " + NAMESPACE_NAME.pattern());
            } else if (!seen.add(ns.name)) {
                errors.add(path + ".name: duplicate namespace \"" + ns.name + "\"");
            }
            options(path + " (" + ns.name + ")", ns);
        }
    }

    private void options(String path, HeraldConfig.ChannelOptions o) {
        boolean size = o.historySize > 0;
        boolean ttl = o.historyTtl != null && o.historyTtl.isPositive();
        if (size != ttl) {
            errors.add(path + ": history_size and history_ttl must be set together (got history_size "
                    + o.historySize + ", history_ttl " + (o.historyTtl == null ? 0 : o.historyTtl.toSeconds()) + "s)");
        }
        if (o.forceRecovery && !(size && ttl)) {
            errors.add(path + ": force_recovery needs history (history_size and history_ttl)");
        }
        if (o.channelRegex != null && !o.channelRegex.isEmpty()) {
            try {
                Pattern.compile(o.channelRegex);
            } catch (PatternSyntaxException e) {
                errors.add(path + ".channel_regex: invalid regular expression: " + e.getDescription());
            }
        }
    }

    private void other(HeraldConfig c) {
        if (c.httpApi.insecure) {
            warnings.add("http_api.insecure is on: the server API needs no key");
        } else if (c.httpApi.key.isEmpty()) {
            warnings.add("http_api.key is empty: the server API will refuse every request (set a key or http_api.insecure)");
        }
        if (c.websocket.messageSizeLimit <= 0) {
            errors.add("websocket.message_size_limit must be positive");
        }
        if (c.log.level == null || !LOG_LEVELS.contains(c.log.level.toLowerCase(Locale.ROOT))) {
            errors.add("log.level: \"" + c.log.level + "\" is not one of " + String.join("|", sorted(LOG_LEVELS)));
        }
        if (c.httpApi.errorMode != null && !c.httpApi.errorMode.isEmpty()
                && !"transport".equalsIgnoreCase(c.httpApi.errorMode)) {
            errors.add("http_api.error_mode: \"" + c.httpApi.errorMode + "\" is not \"\" or \"transport\"");
        }
        EngineRules.check(c, errors);
        HeraldConfig.PersonalChannel personal = c.client.subscribeToUserPersonalChannel;
        if (personal.enabled && !personal.personalChannelNamespace.isEmpty()
                && c.channel.namespaces.stream().noneMatch(ns -> ns != null
                && personal.personalChannelNamespace.equals(ns.name))) {
            errors.add("client.subscribe_to_user_personal_channel.personal_channel_namespace: namespace \""
                    + personal.personalChannelNamespace + "\" is not defined in channel.namespaces");
        }
        singleConnection(c);
        if (c.rpc.ping.enabled && c.rpc.ping.method.isEmpty()) {
            errors.add("rpc.ping.method must not be empty when rpc.ping.enabled");
        }
    }

    /**
     * {@code single_connection} as Centrifugo checks it: the personal channel's namespace needs presence (what a
     * cluster uses to find the user's other connections). Without {@code enabled} it would do nothing, so that is
     * an error here rather than a silent no-op.
     */
    private void singleConnection(HeraldConfig c) {
        HeraldConfig.PersonalChannel personal = c.client.subscribeToUserPersonalChannel;
        String path = "client.subscribe_to_user_personal_channel";
        if (!personal.singleConnection) {
            return;
        }
        if (!personal.enabled) {
            errors.add(path + ".single_connection needs " + path + ".enabled (it acts on the personal channel)");
            return;
        }
        String ns = personal.personalChannelNamespace;
        HeraldConfig.ChannelOptions options = ns.isEmpty() ? c.channel.withoutNamespace
                : c.channel.namespaces.stream().filter(n -> n != null && ns.equals(n.name)).findFirst().orElse(null);
        if (options != null && !options.presence) {
            errors.add(path + ".single_connection needs presence in "
                    + (ns.isEmpty() ? "channel.without_namespace" : "namespace \"" + ns + "\""));
        }
    }

    /**
     * Keys Herald parses (Centrifugo has them) but does not act on yet: each is refused by name when set to
     * anything but its default, so a config never seems to turn on something that is not there. Defaults pass,
     * which keeps {@code defaultconfig} and {@code genconfig} output valid.
     */
    private void unsupported(HeraldConfig c) {
        if (c.admin.enabled) {
            errors.add("admin.enabled: the admin web UI is not supported yet");
        }
        for (String leaf : changedLeaves(c.client.proxy.refresh, new HeraldConfig.Proxy(), "client.proxy.refresh.")) {
            errors.add(leaf + ": the refresh proxy is not supported yet");
        }
        if (c.client.proxy.connect.includeConnectionMeta) {
            errors.add("client.proxy.connect.include_connection_meta is not supported: a connecting client has no "
                    + "meta yet, and Herald has no other proxy to send it to");
        }
        if (c.client.token.enabled) {
            errors.add("client.token.enabled is not supported: connection tokens are always verified "
                    + "(enabled exists for client.subscription_token only)");
        }
        if (c.uniWebsocket.maxRequestBodySize != new HeraldConfig.Transport().maxRequestBodySize) {
            errors.add("uni_websocket.max_request_body_size is not supported: a uni_websocket connect request is a "
                    + "WebSocket message, limited by websocket.message_size_limit");
        }
    }

    /** Paths ({@code prefix} + key) of the leaves of {@code section} whose value differs from {@code defaults}. */
    static List<String> changedLeaves(Object section, Object defaults, String prefix) {
        List<String> out = new ArrayList<>();
        for (Field f : section.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                Object value = f.get(section);
                Object standard = f.get(defaults);
                if (value instanceof HeraldConfig.Toggle t && standard instanceof HeraldConfig.Toggle d) {
                    // a toggle section has one leaf
                    if (t.enabled != d.enabled) {
                        out.add(prefix + snake(f.getName()) + ".enabled");
                    }
                } else if (!java.util.Objects.equals(value, standard)) {
                    out.add(prefix + snake(f.getName()));
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private void positive(String path, Duration d) {
        if (d == null || !d.isPositive()) {
            errors.add(path + " must be a positive duration");
        }
    }

    /** Walks the model: any negative int, long or duration is an error, whatever option it is. */
    private void nonNegative(Object node, String prefix) {
        if (node == null) {
            return;
        }
        for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field f : type.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || !Modifier.isPublic(f.getModifiers())) {
                    continue;
                }
                Object value;
                try {
                    value = f.get(node);
                } catch (IllegalAccessException e) {
                    continue;
                }
                String path = prefix + snake(f.getName());
                if (value instanceof Integer i && i < 0 || value instanceof Long l && l < 0
                        || value instanceof Duration d && d.isNegative()) {
                    errors.add(path + " must not be negative (got " + value + ")");
                } else if (value instanceof List<?> list) {
                    for (int i = 0; i < list.size(); i++) {
                        if (isModel(list.get(i))) {
                            nonNegative(list.get(i), path + "[" + i + "].");
                        }
                    }
                } else if (isModel(value)) {
                    nonNegative(value, path + ".");
                }
            }
        }
    }

    private static boolean isModel(Object value) {
        return value != null && value.getClass().getName().startsWith(HeraldConfig.class.getName() + "$");
    }

    private static boolean httpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (Exception e) {
            return false;
        }
    }

    private static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static List<String> sorted(Set<String> set) {
        return set.stream().sorted().toList();
    }
}
