package dev.herald.core.client;

import dev.herald.core.hub.ChannelEvent;
import dev.herald.core.hub.WireFormat;
import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.Push;
import dev.herald.protocol.PushBody;

/**
 * Centrifugo client protocol v2's four wire formats: JSON and protobuf, each bidirectional (the push wrapped in a
 * reply) or unidirectional (the bare push).
 */
public final class CentrifugoFormats {
    public static final WireFormat JSON = new Format(Protocol.JSON, false);
    public static final WireFormat JSON_UNI = new Format(Protocol.JSON, true);
    public static final WireFormat PROTOBUF = new Format(Protocol.PROTOBUF, false);
    public static final WireFormat PROTOBUF_UNI = new Format(Protocol.PROTOBUF, true);

    private CentrifugoFormats() {
    }

    public static WireFormat of(Protocol protocol, boolean unidirectional) {
        return switch (protocol) {
            case JSON -> unidirectional ? JSON_UNI : JSON;
            case PROTOBUF -> unidirectional ? PROTOBUF_UNI : PROTOBUF;
        };
    }

    /** The Centrifugo push carrying a channel event. */
    static Push push(String channel, ChannelEvent event) {
        PushBody body = switch (event) {
            case ChannelEvent.Published p -> p.publication();
            case ChannelEvent.Joined j -> new PushBody.Join(j.info());
            case ChannelEvent.Left l -> new PushBody.Leave(l.info());
        };
        return new Push(channel, body);
    }

    private static final class Format extends WireFormat {
        private final ClientCodec codec;
        private final boolean unidirectional;

        Format(Protocol protocol, boolean unidirectional) {
            super("centrifugo-" + protocol.wireName() + (unidirectional ? "-uni" : ""));
            this.codec = ClientCodec.of(protocol);
            this.unidirectional = unidirectional;
        }

        @Override
        public byte[] encode(String channel, ChannelEvent event) {
            Push push = push(channel, event);
            return unidirectional ? codec.encodeUniPush(push) : codec.encodePush(push);
        }
    }
}
