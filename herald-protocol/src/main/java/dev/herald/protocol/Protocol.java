package dev.herald.protocol;

/** Wire encoding of a client connection; fixed for the connection's lifetime. */
public enum Protocol {
    JSON("json"),
    PROTOBUF("protobuf");

    private final String wireName;

    Protocol(String wireName) {
        this.wireName = wireName;
    }

    /** The name Centrifugo reports for this protocol ({@code json} or {@code protobuf}). */
    public String wireName() {
        return wireName;
    }
}
