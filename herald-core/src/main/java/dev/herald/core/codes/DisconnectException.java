package dev.herald.core.codes;

/** Carries a disconnect decision through a {@code CompletionStage}; no stack trace. */
public final class DisconnectException extends RuntimeException {
    private final Disconnect disconnect;

    public DisconnectException(Disconnect disconnect) {
        super(disconnect.reason(), null, false, false);
        this.disconnect = disconnect;
    }

    public Disconnect disconnect() {
        return disconnect;
    }
}
