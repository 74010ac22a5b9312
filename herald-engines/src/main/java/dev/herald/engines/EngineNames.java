package dev.herald.engines;

import dev.herald.core.channel.ChannelKey;

import java.util.regex.Pattern;

/**
 * Names of Redis keys, PUB/SUB channels and NATS subjects, shared by every engine so that an operator's knowledge
 * of Centrifugo's layout carries over.
 *
 * <p>The default app (the Centrifugo surface) uses Centrifugo's names exactly: {@code <prefix>.client.<channel>},
 * {@code <prefix>.stream.<channel>}, {@code <prefix>.presence.data.<channel>}, ... Another app's names are rooted
 * at {@code <prefix>.app.<app>} instead of {@code <prefix>}. They cannot collide with the default app's, whose
 * names continue {@code <prefix>.client.}, {@code <prefix>.stream.} and so on, never {@code <prefix>.app.}, nor
 * with each other, because an app id has no dot ({@link #checkApp}).
 */
public final class EngineNames {
    private static final Pattern APP = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String prefix;

    public EngineNames(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("engine prefix must not be empty");
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** {@code <root>.<kind>.<channel>}, e.g. {@code name(key, "client")} for a channel's PUB/SUB name. */
    public String name(ChannelKey key, String kind) {
        return root(key.app()) + "." + kind + "." + key.name();
    }

    /** {@code <prefix>} for the default app, {@code <prefix>.app.<app>} for another. */
    public String root(String app) {
        if (app.isEmpty()) {
            return prefix;
        }
        checkApp(app);
        return prefix + ".app." + app;
    }

    /** The text a channel is sharded by (the same on every node): its name, scoped by a non-default app. */
    public static String shardKey(ChannelKey key) {
        return key.app().isEmpty() ? key.name() : key.app() + "." + key.name();
    }

    /** Control broadcast channel / subject. */
    public String control() {
        return prefix + ".control";
    }

    /** One node's own channel / subject. */
    public String node(String nodeId) {
        return prefix + ".node." + nodeId;
    }

    private static void checkApp(String app) {
        if (!APP.matcher(app).matches()) {
            throw new IllegalArgumentException("app id '" + app + "' must match " + APP.pattern());
        }
    }
}
