package dev.herald.core.channel;

/**
 * A channel in an app (tenant): the key of everything channel-scoped in the hub, the broker and presence. The
 * Centrifugo surface lives in {@link #DEFAULT_APP}; a Pusher app has its own id, or may be configured as the
 * default app so that both protocols share its channels and users.
 *
 * @param app  the app (tenant) id; {@link #DEFAULT_APP} for Centrifugo's single app
 * @param name the channel name inside the app
 */
public record ChannelKey(String app, String name) {
    /** The app the Centrifugo client protocol and server API serve. */
    public static final String DEFAULT_APP = "";

    public ChannelKey {
        if (app == null || name == null) {
            throw new NullPointerException("app and name are required");
        }
    }

    /** A channel of the default app. */
    public static ChannelKey of(String name) {
        return new ChannelKey(DEFAULT_APP, name);
    }

    /** Readable form for logs: the bare name in the default app, {@code app/name} otherwise. */
    @Override
    public String toString() {
        return app.isEmpty() ? name : app + "/" + name;
    }
}
