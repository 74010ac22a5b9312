package dev.herald.protocol;

/**
 * One client command. {@code request} is null for the empty command, which protocol v2 uses as a pong.
 * Exactly one request kind is carried; the decoder keeps the first one it finds.
 */
public record Command(long id, Request request) {
    public static final Command EMPTY = new Command(0, null);

    public boolean isEmpty() {
        return request == null;
    }
}
