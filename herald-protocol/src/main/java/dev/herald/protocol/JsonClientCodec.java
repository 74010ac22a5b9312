package dev.herald.protocol;

import java.util.List;

/** Placeholder so the module compiles until the real codec lands (being written now). */
final class JsonClientCodec implements ClientCodec {
    static final JsonClientCodec INSTANCE = new JsonClientCodec();

    @Override public Protocol protocol() { return Protocol.JSON; }
    @Override public List<Command> decodeCommands(byte[] frame) throws ProtocolException { throw new ProtocolException("codec pending"); }
    @Override public Request.Connect decodeConnectRequest(byte[] body) throws ProtocolException { throw new ProtocolException("codec pending"); }
    @Override public byte[] encodeReply(Reply reply) { return new byte[0]; }
    @Override public byte[] encodePush(Push push) { return new byte[0]; }
    @Override public byte[] encodeUniPush(Push push) { return new byte[0]; }
    @Override public byte[] ping() { return new byte[0]; }
    @Override public byte[] join(List<byte[]> elements) { return new byte[0]; }
}
