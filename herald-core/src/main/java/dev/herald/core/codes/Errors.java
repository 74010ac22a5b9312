package dev.herald.core.codes;

import dev.herald.protocol.ReplyError;

/** Centrifugo's client protocol error codes (reference section 1.6). */
public final class Errors {
    public static final ReplyError INTERNAL = new ReplyError(100, "internal server error", true);
    public static final ReplyError UNAUTHORIZED = new ReplyError(101, "unauthorized", false);
    public static final ReplyError UNKNOWN_CHANNEL = new ReplyError(102, "unknown channel", false);
    public static final ReplyError PERMISSION_DENIED = new ReplyError(103, "permission denied", false);
    public static final ReplyError METHOD_NOT_FOUND = new ReplyError(104, "method not found", false);
    public static final ReplyError ALREADY_SUBSCRIBED = new ReplyError(105, "already subscribed", false);
    public static final ReplyError LIMIT_EXCEEDED = new ReplyError(106, "limit exceeded", false);
    public static final ReplyError BAD_REQUEST = new ReplyError(107, "bad request", false);
    public static final ReplyError NOT_AVAILABLE = new ReplyError(108, "not available", false);
    public static final ReplyError TOKEN_EXPIRED = new ReplyError(109, "token expired", false);
    public static final ReplyError EXPIRED = new ReplyError(110, "expired", false);
    public static final ReplyError TOO_MANY_REQUESTS = new ReplyError(111, "too many requests", true);
    public static final ReplyError UNRECOVERABLE_POSITION = new ReplyError(112, "unrecoverable position", false);

    private Errors() {
    }
}
