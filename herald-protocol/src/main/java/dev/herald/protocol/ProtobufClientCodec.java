package dev.herald.protocol;

import java.util.List;

/**
 * Centrifugo's protobuf client protocol ({@code centrifuge-protobuf}): every element is a message prefixed by its
 * varint length, and a frame is their concatenation. Field numbers follow centrifugal/protocol
 * {@code definitions/client.proto}. {@link #decodeConnectRequest} takes a bare ConnectRequest message without a
 * length prefix, as a unidirectional transport receives it.
 */
final class ProtobufClientCodec implements ClientCodec {
    static final ProtobufClientCodec INSTANCE = new ProtobufClientCodec();

    /** An empty message with its zero length prefix: an empty Reply and an empty Push alike. */
    private static final byte[] EMPTY_MESSAGE = {0};

    private ProtobufClientCodec() {
    }

    @Override
    public Protocol protocol() {
        return Protocol.PROTOBUF;
    }

    @Override
    public List<Command> decodeCommands(byte[] frame) throws ProtocolException {
        return ProtobufCommandDecoder.decodeCommands(frame);
    }

    @Override
    public Request.Connect decodeConnectRequest(byte[] body) throws ProtocolException {
        return ProtobufCommandDecoder.decodeConnectRequest(body);
    }

    @Override
    public byte[] encodeReply(Reply reply) {
        return ProtobufReplyEncoder.reply(reply);
    }

    @Override
    public byte[] encodePush(Push push) {
        return ProtobufReplyEncoder.push(push, true);
    }

    @Override
    public byte[] encodeUniPush(Push push) {
        return ProtobufReplyEncoder.push(push, false);
    }

    /** The same shared array every time; callers must not modify it. */
    @Override
    public byte[] ping() {
        return EMPTY_MESSAGE;
    }

    @Override
    public byte[] join(List<byte[]> elements) {
        if (elements.size() == 1) {
            return elements.getFirst();
        }
        int size = 0;
        for (byte[] e : elements) {
            size += e.length;
        }
        byte[] frame = new byte[size];
        int pos = 0;
        for (byte[] e : elements) {
            System.arraycopy(e, 0, frame, pos, e.length);
            pos += e.length;
        }
        return frame;
    }
}
