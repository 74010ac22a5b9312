package dev.herald.server.transport;

import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.Request;

/** Starts a unidirectional session from a bare connect request (body, first message or URL parameter). */
final class UniConnect {
    private UniConnect() {
    }

    /** Decodes and starts; a malformed request closes the connection with 3501. */
    static void start(ClientSession session, byte[] body) {
        Request.Connect request;
        try {
            request = ClientCodec.of(Protocol.JSON).decodeConnectRequest(body);
        } catch (ProtocolException e) {
            session.close(Disconnect.BAD_REQUEST);
            return;
        }
        session.handleUniConnect(request);
    }
}
