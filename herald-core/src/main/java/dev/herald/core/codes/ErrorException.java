package dev.herald.core.codes;

import dev.herald.protocol.ReplyError;

/** Carries a protocol error through a {@code CompletionStage}; no stack trace, it is an expected outcome. */
public final class ErrorException extends RuntimeException {
    private final ReplyError error;

    public ErrorException(ReplyError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ReplyError error() {
        return error;
    }
}
