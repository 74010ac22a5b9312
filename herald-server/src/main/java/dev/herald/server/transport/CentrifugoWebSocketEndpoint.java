package dev.herald.server.transport;

import dev.herald.core.Node;
import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Centrifugo's WebSocket endpoints as two registrations of {@link WebSocketEndpoint}: {@code /connection/websocket}
 * (commands in, replies and pushes out; JSON or protobuf by subprotocol or {@code cf_protocol}) and
 * {@code /connection/uni_websocket} (a connect request as the first message or {@code cf_connect}, bare pushes out,
 * JSON only). The session is herald-core's {@link ClientSession}.
 */
public final class CentrifugoWebSocketEndpoint implements WebSocketEndpoint<ClientSession> {
    static final String WEBSOCKET_PATH = "/connection/websocket";
    static final String UNI_WEBSOCKET_PATH = "/connection/uni_websocket";
    static final String JSON_SUBPROTOCOL = "centrifuge-json";
    static final String PROTOBUF_SUBPROTOCOL = "centrifuge-protobuf";

    private final Node node;
    private final boolean unidirectional;

    private CentrifugoWebSocketEndpoint(Node node, boolean unidirectional) {
        this.node = node;
        this.unidirectional = unidirectional;
    }

    /** Registers the endpoints the node's configuration enables ({@code websocket.disabled}, {@code uni_websocket}). */
    public static WebSocketEndpoints register(WebSocketEndpoints endpoints, Node node) {
        var config = node.config();
        if (!config.websocket.disabled) {
            endpoints.register(WEBSOCKET_PATH, List.of(JSON_SUBPROTOCOL, PROTOBUF_SUBPROTOCOL),
                    new CentrifugoWebSocketEndpoint(node, false));
        }
        if (config.uniWebsocket.enabled) {
            endpoints.register(UNI_WEBSOCKET_PATH, List.of(), new CentrifugoWebSocketEndpoint(node, true));
        }
        return endpoints;
    }

    @Override
    public ClientSession open(WebSocketUpgrade upgrade) {
        Protocol protocol = unidirectional ? Protocol.JSON : protocolOf(upgrade);
        WebSocketTransport transport = upgrade.transport(protocol, unidirectional);
        transport.requestHeaders(ProxyHeaders.capture(upgrade.headers(), node.config()));
        ClientSession session = node.newSession(transport);
        String urlConnect = unidirectional ? upgrade.queryParameter("cf_connect") : null;
        if (urlConnect != null) {
            UniConnect.start(session, urlConnect.getBytes(StandardCharsets.UTF_8));
        }
        return session;
    }

    /** The subprotocol decides; without one, the {@code cf_protocol} (or older {@code format}) parameter. */
    private static Protocol protocolOf(WebSocketUpgrade upgrade) {
        String selected = upgrade.subprotocol();
        if (PROTOBUF_SUBPROTOCOL.equals(selected)) {
            return Protocol.PROTOBUF;
        }
        if (JSON_SUBPROTOCOL.equals(selected)) {
            return Protocol.JSON;
        }
        var params = upgrade.query();
        List<String> format = params.getOrDefault("cf_protocol", params.get("format"));
        return format != null && format.contains("protobuf") ? Protocol.PROTOBUF : Protocol.JSON;
    }

    @Override
    public void onText(ClientSession session, byte[] payload) {
        onMessage(session, payload);
    }

    @Override
    public void onBinary(ClientSession session, byte[] payload) {
        onMessage(session, payload);
    }

    private void onMessage(ClientSession session, byte[] payload) {
        if (unidirectional) {
            UniConnect.start(session, payload);
        } else {
            session.handleFrame(payload);
        }
    }

    @Override
    public void onClosed(ClientSession session, Disconnect reason) {
        session.transportClosed(reason);
    }
}
