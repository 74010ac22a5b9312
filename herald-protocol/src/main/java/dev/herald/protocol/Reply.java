package dev.herald.protocol;

/** A reply to the command with the same {@code id}: exactly one of {@code error} and {@code result} is set. */
public record Reply(long id, ReplyError error, Result result) {

    public static Reply ok(long id, Result result) {
        return new Reply(id, null, result);
    }

    public static Reply error(long id, ReplyError error) {
        return new Reply(id, error, null);
    }
}
