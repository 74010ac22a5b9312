package dev.herald.core.cel;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelVariableResolver;
import dev.herald.core.session.SessionView;
import dev.herald.core.session.SubscriptionView;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The variables a connection expression sees, declared once for the type checker and resolved lazily per
 * connection: a variable the expression never reads is never computed, and one it reads many times (inside a
 * comprehension) is computed once per evaluation. Not thread-safe: one instance per evaluation.
 */
final class SessionVariables implements CelVariableResolver {
    /** Declarations, in the order the documentation lists them. */
    static final Map<String, CelType> DECLARATIONS;

    static {
        Map<String, CelType> d = new LinkedHashMap<>();
        d.put("client", SimpleType.STRING);
        d.put("user", SimpleType.STRING);
        d.put("transport", SimpleType.STRING);
        d.put("protocol", SimpleType.STRING);
        d.put("app_name", SimpleType.STRING);
        d.put("app_version", SimpleType.STRING);
        d.put("channels", ListType.create(SimpleType.STRING));
        d.put("meta", MapType.create(SimpleType.STRING, SimpleType.DYN));
        d.put("token_uid", SimpleType.STRING);
        d.put("token_issued_at", SimpleType.INT);
        d.put("connected_at", SimpleType.INT);
        d.put("subscription_tokens",
                MapType.create(SimpleType.STRING, MapType.create(SimpleType.STRING, SimpleType.DYN)));
        DECLARATIONS = Collections.unmodifiableMap(d);
    }

    private final SessionView session;
    private List<String> channels;
    private Map<String, Object> meta;
    private Map<String, Object> subscriptionTokens;

    SessionVariables(SessionView session) {
        this.session = session;
    }

    @Override
    public Optional<Object> find(String name) {
        Object value = switch (name) {
            case "client" -> session.id();
            case "user" -> nonNull(session.user());
            case "transport" -> session.transportName();
            case "protocol" -> session.protocolName();
            case "app_name" -> nonNull(session.appName());
            case "app_version" -> nonNull(session.appVersion());
            case "channels" -> channels();
            case "meta" -> meta();
            case "token_uid" -> nonNull(session.tokenId());
            case "token_issued_at" -> session.tokenIssuedAt();
            case "connected_at" -> session.connectedAtMillis();
            case "subscription_tokens" -> subscriptionTokens();
            default -> null;
        };
        return Optional.ofNullable(value);
    }

    private List<String> channels() {
        if (channels == null) {
            channels = List.copyOf(session.subscriptions().keySet());
        }
        return channels;
    }

    private Map<String, Object> meta() {
        if (meta == null) {
            meta = SessionMeta.of(session);
        }
        return meta;
    }

    /** Channel -> {uid, issued_at} for the subscriptions made with a subscription token. */
    private Map<String, Object> subscriptionTokens() {
        if (subscriptionTokens == null) {
            Map<String, Object> tokens = new HashMap<>();
            for (SubscriptionView s : session.subscriptions().values()) {
                if (s.tokenId() != null || s.tokenIssuedAt() > 0) {
                    tokens.put(s.channel(), Map.of("uid", nonNull(s.tokenId()), "issued_at", s.tokenIssuedAt()));
                }
            }
            subscriptionTokens = tokens;
        }
        return subscriptionTokens;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
