package dev.herald.protocol;

import java.util.List;

/**
 * Centrifugo's JSON client protocol: newline-delimited objects, {@code bytes} fields as raw JSON.
 * Encoding matches Centrifugo's output byte for byte (field order, omitted zero values, string escaping);
 * decoding follows Go's rules and never lets anything but {@link ProtocolException} escape.
 * A frame holding only blank lines decodes to an empty list.
 */
final class JsonClientCodec implements ClientCodec {
    static final JsonClientCodec INSTANCE = new JsonClientCodec();

    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    private JsonClientCodec() {
    }

    @Override
    public Protocol protocol() {
        return Protocol.JSON;
    }

    @Override
    public List<Command> decodeCommands(byte[] frame) throws ProtocolException {
        return JsonCommandDecoder.decodeCommands(frame);
    }

    @Override
    public Request.Connect decodeConnectRequest(byte[] body) throws ProtocolException {
        return JsonCommandDecoder.decodeConnectRequest(body);
    }

    @Override
    public byte[] encodeReply(Reply reply) {
        return JsonReplyEncoder.reply(reply);
    }

    @Override
    public byte[] encodePush(Push push) {
        return JsonReplyEncoder.push(push, true);
    }

    @Override
    public byte[] encodeUniPush(Push push) {
        return JsonReplyEncoder.push(push, false);
    }

    /** The same shared array every time; callers must not modify it. */
    @Override
    public byte[] ping() {
        return EMPTY_OBJECT;
    }

    @Override
    public byte[] join(List<byte[]> elements) {
        if (elements.size() == 1) {
            return elements.getFirst();
        }
        int size = Math.max(0, elements.size() - 1);
        for (byte[] e : elements) {
            size += e.length;
        }
        byte[] frame = new byte[size];
        int pos = 0;
        for (int i = 0; i < elements.size(); i++) {
            byte[] e = elements.get(i);
            if (i > 0) {
                frame[pos++] = '\n';
            }
            System.arraycopy(e, 0, frame, pos, e.length);
            pos += e.length;
        }
        return frame;
    }
}
