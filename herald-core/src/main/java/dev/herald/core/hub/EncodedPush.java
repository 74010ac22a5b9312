package dev.herald.core.hub;

import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Push;

/**
 * One push encoded lazily, at most once per wire variant (JSON or protobuf, bidirectional or unidirectional), and
 * shared by every receiving connection. Used by one broadcasting thread at a time.
 */
public final class EncodedPush {
    private final Push push;
    private final long offset;
    private final byte[][] variants = new byte[4][];

    public EncodedPush(Push push, long offset) {
        this.push = push;
        this.offset = offset;
    }

    /** The push kind for metrics: {@code publication}, {@code join}, {@code leave}, ... */
    public String kind() {
        return switch (push.body()) {
            case dev.herald.protocol.Publication p -> "publication";
            case dev.herald.protocol.PushBody.Join j -> "join";
            case dev.herald.protocol.PushBody.Leave l -> "leave";
            default -> "other";
        };
    }

    public Push push() {
        return push;
    }

    /** Stream offset of a publication push, 0 otherwise. */
    public long offset() {
        return offset;
    }

    public byte[] bytes(Protocol protocol, boolean unidirectional) {
        int slot = protocol.ordinal() * 2 + (unidirectional ? 1 : 0);
        byte[] encoded = variants[slot];
        if (encoded == null) {
            ClientCodec codec = ClientCodec.of(protocol);
            encoded = unidirectional ? codec.encodeUniPush(push) : codec.encodePush(push);
            variants[slot] = encoded;
        }
        return encoded;
    }
}
