package dev.herald.core.auth;

/** Why a token was refused. {@link Kind#EXPIRED} covers both {@code exp} and {@code nbf} failures. */
public final class TokenException extends Exception {
    public enum Kind { INVALID, EXPIRED }

    private final Kind kind;

    public TokenException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public TokenException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
