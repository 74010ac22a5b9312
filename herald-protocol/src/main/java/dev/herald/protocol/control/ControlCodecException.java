package dev.herald.protocol.control;

/**
 * Bytes that are not a control message: damaged protobuf, a length beyond the bytes given, a known field with
 * the wrong wire type, or an envelope without its version, type or sender. The receiver drops the message.
 */
public final class ControlCodecException extends Exception {
    public ControlCodecException(String message) {
        super(message);
    }

    public ControlCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
