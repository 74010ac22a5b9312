package dev.herald.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Herald's configuration as it is being built, with Centrifugo v6 key names (snake_case on the wire:
 * {@code client.token.hmac_secret_key}, {@code http_api.key}, ...). Fields hold defaults; the loader binds a
 * JSON/YAML/TOML tree and environment overrides onto a fresh instance (tests fill one in by hand), then
 * {@link ConfigValidator} checks it.
 *
 * <p>This is the mutable form, for binding, checking and tests: a running node and server never hold it. They hold
 * the immutable {@link FrozenConfig} that {@link #freeze()} takes once, before start, so nothing can change the
 * configuration under a running node.
 */
public final class HeraldConfig {
    public HttpServer httpServer = new HttpServer();
    public Client client = new Client();
    public Channel channel = new Channel();
    public HttpApi httpApi = new HttpApi();
    public Admin admin = new Admin();
    public WebSocket websocket = new WebSocket();
    public Transport uniHttpStream = new Transport();
    public Transport uniSse = new Transport();
    public Transport uniWebsocket = new Transport();
    public Transport httpStream = new Transport();
    public Transport sse = new Transport();
    public Engine engine = new Engine();
    public Broker broker = new Broker();
    public PresenceManager presenceManager = new PresenceManager();
    public Toggle prometheus = new Toggle(true);
    public Toggle health = new Toggle(true);
    public Log log = new Log();
    public Node node = new Node();
    public Rpc rpc = new Rpc();
    public Shutdown shutdown = new Shutdown();

    /** An immutable snapshot of this config as it is now; later writes to this instance do not reach it. */
    public FrozenConfig freeze() {
        return new FrozenConfig(this);
    }

    public static final class HttpServer {
        public String address = "";
        public int port = 8000;
    }

    public static final class Client {
        public Token token = new Token();
        public Token subscriptionToken = new Token();
        public List<String> allowedOrigins = new ArrayList<>();
        public boolean insecure;
        public boolean allowAnonymousConnectWithoutToken;
        public boolean disallowAnonymousConnectionTokens;
        public Duration pingInterval = Duration.ofSeconds(25);
        public Duration pongTimeout = Duration.ofSeconds(8);
        public Duration expiredCloseDelay = Duration.ofSeconds(25);
        public Duration expiredSubCloseDelay = Duration.ofSeconds(25);
        public Duration staleCloseDelay = Duration.ofSeconds(10);
        public int channelLimit = 128;
        public int userConnectionLimit;
        /** Bytes a connection may have queued for writing before it is disconnected as slow (3008). */
        public int queueMaxSize = 1_048_576;
        /** How often positioned subscriptions are compared with their stream's top to detect lost publications. */
        public Duration channelPositionCheckDelay = Duration.ofSeconds(40);
        public int historyMaxPublicationLimit = 300;
        public int recoveryMaxPublicationLimit = 300;
        public boolean connectIncludeServerTime;
        public PersonalChannel subscribeToUserPersonalChannel = new PersonalChannel();
        public ClientProxies proxy = new ClientProxies();
    }

    /** Keys for verifying JWTs. For {@code client.subscription_token}, {@code enabled} selects separate keys. */
    public static final class Token {
        public boolean enabled;
        public String hmacSecretKey = "";
        public String rsaPublicKey = "";
        public String ecdsaPublicKey = "";
        public String jwksPublicEndpoint = "";
        public String audience = "";
        public String issuer = "";
    }

    public static final class PersonalChannel {
        public boolean enabled;
        public String personalChannelNamespace = "";
        public boolean singleConnection;
    }

    public static final class ClientProxies {
        public Proxy connect = new Proxy();
        public Proxy refresh = new Proxy();
    }

    public static final class Proxy {
        public boolean enabled;
        public String endpoint = "";
        public Duration timeout = Duration.ofSeconds(1);
        /** Headers of the client's HTTP request (upgrade or stream request) forwarded to the backend. */
        public List<String> httpHeaders = new ArrayList<>();
        public Map<String, String> staticHeaders = new LinkedHashMap<>();
        public boolean includeConnectionMeta;
        /** Sends client data as {@code b64data} with {@code encoding: "binary"} instead of raw JSON {@code data}. */
        public boolean binaryEncoding;
    }

    public static final class Channel {
        public int maxLength = 255;
        public String namespaceBoundary = ":";
        public String userBoundary = "#";
        public String userSeparator = ",";
        public String privatePrefix = "$";
        public Duration historyMetaTtl = Duration.ofHours(720);
        public ChannelOptions withoutNamespace = new ChannelOptions();
        public List<Namespace> namespaces = new ArrayList<>();
    }

    /** Per-namespace channel behaviour; see the reference, section 7.2. */
    public static class ChannelOptions {
        public boolean presence;
        public boolean joinLeave;
        public boolean forcePushJoinLeave;
        public int historySize;
        public Duration historyTtl = Duration.ZERO;
        public Duration historyMetaTtl;
        public boolean forcePositioning;
        public boolean allowPositioning;
        public boolean forceRecovery;
        public boolean allowRecovery;
        public boolean allowSubscribeForClient;
        public boolean allowSubscribeForAnonymous;
        public boolean allowPublishForSubscriber;
        public boolean allowPublishForClient;
        public boolean allowPublishForAnonymous;
        public boolean allowHistoryForSubscriber;
        public boolean allowHistoryForClient;
        public boolean allowHistoryForAnonymous;
        public boolean allowPresenceForSubscriber;
        public boolean allowPresenceForClient;
        public boolean allowPresenceForAnonymous;
        public boolean allowUserLimitedChannels;
        public String channelRegex = "";

        public boolean historyEnabled() {
            return historySize > 0 && historyTtl != null && historyTtl.isPositive();
        }
    }

    public static final class Namespace extends ChannelOptions {
        public String name = "";
    }

    public static final class HttpApi {
        public String key = "";
        public boolean insecure;
        public int maxRequestBodySize = 65_536;
        /** {@code transport}: API errors become HTTP statuses with a bare error body; empty: HTTP 200 replies. */
        public String errorMode = "";
    }

    public static final class Admin {
        public boolean enabled;
        public String password = "";
        public String secret = "";
        public boolean insecure;
    }

    public static final class WebSocket {
        public boolean disabled;
        public int messageSizeLimit = 65_536;
        public Duration writeTimeout = Duration.ofSeconds(1);
    }

    public static final class Transport {
        public boolean enabled;
        public int maxRequestBodySize = 65_536;
    }

    public static final class Engine {
        public String type = "memory";
        public Redis redis = new Redis();
    }

    /** Centrifugo's separate broker section: with {@code enabled}, it replaces the engine's broker (and controller). */
    public static final class Broker {
        public boolean enabled;
        public String type = "memory";
        public Redis redis = new Redis();
        public Nats nats = new Nats();
    }

    /** Centrifugo's separate presence manager section: with {@code enabled}, it replaces the engine's presence. */
    public static final class PresenceManager {
        public boolean enabled;
        public String type = "memory";
        public Redis redis = new Redis();
    }

    /**
     * A Redis connection as Centrifugo configures it ({@code engine.redis}, {@code broker.redis},
     * {@code presence_manager.redis}). One class for the three; the validator refuses a broker option under a
     * presence section and the other way round, and the options Herald does not implement yet (Sentinel, Cluster,
     * TLS, lists for history, hash-field TTLs, user mapping).
     */
    public static final class Redis {
        public List<String> address = new ArrayList<>(List.of("redis://127.0.0.1:6379"));
        public String prefix = "centrifugo";
        public Duration connectTimeout = Duration.ofSeconds(1);
        public Duration ioTimeout = Duration.ofSeconds(4);
        public int db;
        public String user = "";
        public String password = "";
        public String clientName = "";
        public boolean forceResp2;
        public List<String> clusterAddress = new ArrayList<>();
        public List<String> sentinelAddress = new ArrayList<>();
        public String sentinelUser = "";
        public String sentinelPassword = "";
        public String sentinelMasterName = "";
        public String sentinelClientName = "";
        public Toggle tls = new Toggle();
        public Toggle sentinelTls = new Toggle();
        public boolean historyUseLists;
        public Duration presenceTtl = Duration.ofSeconds(60);
        public boolean presenceHashFieldTtl;
        public boolean presenceUserMapping;
    }

    /** {@code broker.nats}: NATS as broker and controller (at most once: no history). */
    public static final class Nats {
        public String url = "nats://localhost:4222";
        public String prefix = "centrifugo";
        public Duration dialTimeout = Duration.ofSeconds(1);
        public Duration writeTimeout = Duration.ofSeconds(1);
        public boolean allowWildcards;
        public Toggle tls = new Toggle();
        public Toggle rawMode = new Toggle();
    }

    public static final class Toggle {
        public boolean enabled;

        public Toggle() {
        }

        public Toggle(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public static final class Log {
        public String level = "info";
    }

    public static final class Node {
        public String name = "";
    }

    public static final class Rpc {
        public RpcPing ping = new RpcPing();
    }

    public static final class RpcPing {
        public boolean enabled;
        public String method = "ping";
    }

    public static final class Shutdown {
        public Duration timeout = Duration.ofSeconds(10);
    }
}
