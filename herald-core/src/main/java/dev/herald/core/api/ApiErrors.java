package dev.herald.core.api;

import dev.herald.core.codes.ErrorException;
import dev.herald.protocol.ReplyError;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Server API error codes and messages (Centrifugo {@code apiproto/errors.go}). They share numbers with the client
 * protocol's errors but not always the words: an unknown method or RPC extension is 104 "not found" here.
 */
public final class ApiErrors {
    public static final ReplyError INTERNAL = new ReplyError(100, "internal server error", false);
    public static final ReplyError UNKNOWN_CHANNEL = new ReplyError(102, "unknown channel", false);
    public static final ReplyError NOT_FOUND = new ReplyError(104, "not found", false);
    public static final ReplyError BAD_REQUEST = new ReplyError(107, "bad request", false);
    public static final ReplyError NOT_AVAILABLE = new ReplyError(108, "not available", false);
    public static final ReplyError TOO_MANY_REQUESTS = new ReplyError(111, "too many requests", false);
    public static final ReplyError UNRECOVERABLE_POSITION = new ReplyError(112, "unrecoverable position", false);
    public static final ReplyError CONFLICT = new ReplyError(113, "conflict", false);

    private ApiErrors() {
    }

    static <T> CompletionStage<T> fail(ReplyError error) {
        return CompletableFuture.failedFuture(new ErrorException(error));
    }

    /** The API error a failed stage stands for: its own when it carries one, else 100. */
    public static ReplyError of(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) {
            if (cause.getCause() == null) {
                break;
            }
            cause = cause.getCause();
        }
        return cause instanceof ErrorException e ? e.error() : INTERNAL;
    }
}
