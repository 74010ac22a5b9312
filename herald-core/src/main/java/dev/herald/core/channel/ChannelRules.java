package dev.herald.core.channel;

import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.FrozenConfig.ChannelOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Channel name rules (reference section 7.1): namespace lookup, private prefix, user-limited channels and the
 * per-namespace regex. Immutable after construction; safe for every thread.
 */
public final class ChannelRules {
    private final FrozenConfig.Channel config;
    private final Map<String, ChannelOptions> namespaces = new HashMap<>();
    private final Map<String, Pattern> regexes = new HashMap<>();
    private final Pattern defaultRegex;

    public ChannelRules(FrozenConfig.Channel config) {
        this.config = config;
        for (FrozenConfig.Namespace ns : config.namespaces) {
            namespaces.put(ns.name, ns);
            if (ns.channelRegex != null && !ns.channelRegex.isEmpty()) {
                regexes.put(ns.name, Pattern.compile(ns.channelRegex));
            }
        }
        String regex = config.withoutNamespace.channelRegex;
        defaultRegex = regex == null || regex.isEmpty() ? null : Pattern.compile(regex);
    }

    /**
     * The options that govern {@code channel}.
     *
     * @throws ErrorException 102 for an empty channel or an unknown namespace, 107 for a channel over the length
     *                        limit
     */
    public ChannelOptions options(String channel) {
        if (channel == null || channel.isEmpty()) {
            throw new ErrorException(Errors.UNKNOWN_CHANNEL);
        }
        if (channel.length() > config.maxLength) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        String ns = namespace(channel);
        if (ns == null) {
            return config.withoutNamespace;
        }
        ChannelOptions options = namespaces.get(ns);
        if (options == null) {
            throw new ErrorException(Errors.UNKNOWN_CHANNEL);
        }
        return options;
    }

    /** Namespace name of the channel, or null when it has none. A leading private prefix is ignored. */
    public String namespace(String channel) {
        String name = isPrivate(channel) ? channel.substring(config.privatePrefix.length()) : channel;
        int idx = name.indexOf(config.namespaceBoundary);
        return idx < 0 ? null : name.substring(0, idx);
    }

    public boolean isPrivate(String channel) {
        return !config.privatePrefix.isEmpty() && channel.startsWith(config.privatePrefix);
    }

    /** True when the channel names its allowed users after the user boundary ({@code dialog#1,2}). */
    public boolean isUserLimited(String channel) {
        return !config.userBoundary.isEmpty() && channel.contains(config.userBoundary);
    }

    /** Whether {@code user} is one of the users listed after the user boundary. */
    public boolean userAllowed(String channel, String user) {
        int idx = channel.lastIndexOf(config.userBoundary);
        if (idx < 0 || user.isEmpty()) {
            return false;
        }
        String list = channel.substring(idx + config.userBoundary.length());
        for (String allowed : list.split(Pattern.quote(config.userSeparator), -1)) {
            if (allowed.equals(user)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Client-side subscription name check: the namespace regex on the part after the boundary when configured,
     * otherwise ASCII only. Server-side subscriptions skip it, as in Centrifugo.
     */
    public boolean validForClient(String channel) {
        String ns = namespace(channel);
        Pattern regex = ns == null ? defaultRegex : regexes.get(ns);
        if (regex != null) {
            String rest = channel;
            if (ns != null) {
                int idx = channel.indexOf(config.namespaceBoundary);
                rest = channel.substring(idx + config.namespaceBoundary.length());
            }
            return regex.matcher(rest).matches();
        }
        for (int i = 0; i < channel.length(); i++) {
            if (channel.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    /** The personal channel of a user for server-side auto-subscription: {@code #42} or {@code ns:#42}. */
    public String personalChannel(String namespace, String user) {
        String base = config.userBoundary + user;
        return namespace == null || namespace.isEmpty() ? base : namespace + config.namespaceBoundary + base;
    }
}
