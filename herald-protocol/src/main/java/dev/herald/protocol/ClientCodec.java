package dev.herald.protocol;

import java.util.List;

/**
 * Encodes and decodes Centrifugo client protocol v2 messages for one {@link Protocol}.
 *
 * <p>Every {@code encode*} method returns one <em>framed element</em>: for JSON the bare message bytes, for
 * protobuf the message prefixed with its varint length. Elements of one protocol are joined into a single
 * transport frame with {@link #join(List)} (JSON: newline between elements; protobuf: plain concatenation).
 * Implementations are stateless and thread-safe; encoded arrays may be shared between connections and must not
 * be modified.
 */
public interface ClientCodec {

    Protocol protocol();

    /** Decodes every command in one frame (newline-delimited JSON or varint-delimited protobuf). */
    List<Command> decodeCommands(byte[] frame) throws ProtocolException;

    /** Decodes a bare connect request, as unidirectional transports receive it. Empty input = empty request. */
    Request.Connect decodeConnectRequest(byte[] body) throws ProtocolException;

    byte[] encodeReply(Reply reply);

    /** Bidirectional form: the push wrapped in a reply ({@code {"push":{...}}}). */
    byte[] encodePush(Push push);

    /** Unidirectional form: the bare push ({@code {"channel":"x","pub":{...}}}). */
    byte[] encodeUniPush(Push push);

    /** The server ping: an empty reply for bidirectional transports, an empty push for unidirectional ones. */
    byte[] ping();

    /** Joins framed elements into one transport frame. */
    byte[] join(List<byte[]> elements);

    static ClientCodec of(Protocol protocol) {
        return switch (protocol) {
            case JSON -> JsonClientCodec.INSTANCE;
            case PROTOBUF -> ProtobufClientCodec.INSTANCE;
        };
    }
}
