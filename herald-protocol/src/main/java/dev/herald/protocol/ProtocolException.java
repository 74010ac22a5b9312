package dev.herald.protocol;

/** A frame or message that cannot be decoded; the connection that sent it is closed with 3501. */
public final class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
