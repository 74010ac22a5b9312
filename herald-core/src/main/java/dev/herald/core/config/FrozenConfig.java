package dev.herald.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The configuration a running node and server read: an immutable snapshot of a {@link HeraldConfig}, taken once by
 * {@link HeraldConfig#freeze()} after the loader has bound it (or a test has filled it in).
 *
 * <p>The tree mirrors {@link HeraldConfig} section for section and field for field, with the same names, so read
 * sites stay {@code config.client.insecure}. Every field is final, every section is a fresh copy (nothing is shared
 * with the {@link HeraldConfig} it came from, so writing to that afterwards changes nothing here), and lists and
 * maps are unmodifiable copies. A null in the source (an option bound to JSON {@code null}) stays null, so readers
 * and the validator see exactly what was loaded. {@code FrozenConfigTest} checks that the two trees stay in step.
 */
public final class FrozenConfig {
    public final HttpServer httpServer;
    public final Client client;
    public final Channel channel;
    public final HttpApi httpApi;
    public final Admin admin;
    public final WebSocket websocket;
    public final Transport uniHttpStream;
    public final Transport uniSse;
    public final Transport uniWebsocket;
    public final Transport httpStream;
    public final Transport sse;
    public final Engine engine;
    public final Broker broker;
    public final PresenceManager presenceManager;
    public final Toggle prometheus;
    public final Toggle health;
    public final Log log;
    public final Node node;
    public final Rpc rpc;
    public final Shutdown shutdown;

    FrozenConfig(HeraldConfig c) {
        httpServer = section(c.httpServer, HttpServer::new);
        client = section(c.client, Client::new);
        channel = section(c.channel, Channel::new);
        httpApi = section(c.httpApi, HttpApi::new);
        admin = section(c.admin, Admin::new);
        websocket = section(c.websocket, WebSocket::new);
        uniHttpStream = section(c.uniHttpStream, Transport::new);
        uniSse = section(c.uniSse, Transport::new);
        uniWebsocket = section(c.uniWebsocket, Transport::new);
        httpStream = section(c.httpStream, Transport::new);
        sse = section(c.sse, Transport::new);
        engine = section(c.engine, Engine::new);
        broker = section(c.broker, Broker::new);
        presenceManager = section(c.presenceManager, PresenceManager::new);
        prometheus = section(c.prometheus, Toggle::new);
        health = section(c.health, Toggle::new);
        log = section(c.log, Log::new);
        node = section(c.node, Node::new);
        rpc = section(c.rpc, Rpc::new);
        shutdown = section(c.shutdown, Shutdown::new);
    }

    public static final class HttpServer {
        public final String address;
        public final int port;

        HttpServer(HeraldConfig.HttpServer c) {
            address = c.address;
            port = c.port;
        }
    }

    public static final class Client {
        public final Token token;
        public final Token subscriptionToken;
        public final List<String> allowedOrigins;
        public final boolean insecure;
        public final boolean allowAnonymousConnectWithoutToken;
        public final boolean disallowAnonymousConnectionTokens;
        public final Duration pingInterval;
        public final Duration pongTimeout;
        public final Duration expiredCloseDelay;
        public final Duration expiredSubCloseDelay;
        public final Duration staleCloseDelay;
        public final int channelLimit;
        public final int userConnectionLimit;
        /** Bytes a connection may have queued for writing before it is disconnected as slow (3008). */
        public final int queueMaxSize;
        /** How often positioned subscriptions are compared with their stream's top to detect lost publications. */
        public final Duration channelPositionCheckDelay;
        public final int historyMaxPublicationLimit;
        public final int recoveryMaxPublicationLimit;
        public final boolean connectIncludeServerTime;
        public final PersonalChannel subscribeToUserPersonalChannel;
        public final ClientProxies proxy;

        /** Public so token tools and tests can build a verifier from a client section alone. */
        public Client(HeraldConfig.Client c) {
            token = section(c.token, Token::new);
            subscriptionToken = section(c.subscriptionToken, Token::new);
            allowedOrigins = list(c.allowedOrigins);
            insecure = c.insecure;
            allowAnonymousConnectWithoutToken = c.allowAnonymousConnectWithoutToken;
            disallowAnonymousConnectionTokens = c.disallowAnonymousConnectionTokens;
            pingInterval = c.pingInterval;
            pongTimeout = c.pongTimeout;
            expiredCloseDelay = c.expiredCloseDelay;
            expiredSubCloseDelay = c.expiredSubCloseDelay;
            staleCloseDelay = c.staleCloseDelay;
            channelLimit = c.channelLimit;
            userConnectionLimit = c.userConnectionLimit;
            queueMaxSize = c.queueMaxSize;
            channelPositionCheckDelay = c.channelPositionCheckDelay;
            historyMaxPublicationLimit = c.historyMaxPublicationLimit;
            recoveryMaxPublicationLimit = c.recoveryMaxPublicationLimit;
            connectIncludeServerTime = c.connectIncludeServerTime;
            subscribeToUserPersonalChannel = section(c.subscribeToUserPersonalChannel, PersonalChannel::new);
            proxy = section(c.proxy, ClientProxies::new);
        }
    }

    /** Keys for verifying JWTs. For {@code client.subscription_token}, {@code enabled} selects separate keys. */
    public static final class Token {
        public final boolean enabled;
        public final String hmacSecretKey;
        public final String rsaPublicKey;
        public final String ecdsaPublicKey;
        public final String jwksPublicEndpoint;
        public final String audience;
        public final String issuer;

        Token(HeraldConfig.Token c) {
            enabled = c.enabled;
            hmacSecretKey = c.hmacSecretKey;
            rsaPublicKey = c.rsaPublicKey;
            ecdsaPublicKey = c.ecdsaPublicKey;
            jwksPublicEndpoint = c.jwksPublicEndpoint;
            audience = c.audience;
            issuer = c.issuer;
        }
    }

    public static final class PersonalChannel {
        public final boolean enabled;
        public final String personalChannelNamespace;
        public final boolean singleConnection;

        PersonalChannel(HeraldConfig.PersonalChannel c) {
            enabled = c.enabled;
            personalChannelNamespace = c.personalChannelNamespace;
            singleConnection = c.singleConnection;
        }
    }

    public static final class ClientProxies {
        public final Proxy connect;
        public final Proxy refresh;

        ClientProxies(HeraldConfig.ClientProxies c) {
            connect = section(c.connect, Proxy::new);
            refresh = section(c.refresh, Proxy::new);
        }
    }

    public static final class Proxy {
        public final boolean enabled;
        public final String endpoint;
        public final Duration timeout;
        /** Headers of the client's HTTP request (upgrade or stream request) forwarded to the backend. */
        public final List<String> httpHeaders;
        /** In the configured order (a copy of the bound map keeps its iteration order). */
        public final Map<String, String> staticHeaders;
        public final boolean includeConnectionMeta;
        /** Sends client data as {@code b64data} with {@code encoding: "binary"} instead of raw JSON {@code data}. */
        public final boolean binaryEncoding;

        Proxy(HeraldConfig.Proxy c) {
            enabled = c.enabled;
            endpoint = c.endpoint;
            timeout = c.timeout;
            httpHeaders = list(c.httpHeaders);
            staticHeaders = c.staticHeaders == null ? null
                    : Collections.unmodifiableMap(new LinkedHashMap<>(c.staticHeaders));
            includeConnectionMeta = c.includeConnectionMeta;
            binaryEncoding = c.binaryEncoding;
        }
    }

    public static final class Channel {
        public final int maxLength;
        public final String namespaceBoundary;
        public final String userBoundary;
        public final String userSeparator;
        public final String privatePrefix;
        public final Duration historyMetaTtl;
        public final ChannelOptions withoutNamespace;
        public final List<Namespace> namespaces;

        Channel(HeraldConfig.Channel c) {
            maxLength = c.maxLength;
            namespaceBoundary = c.namespaceBoundary;
            userBoundary = c.userBoundary;
            userSeparator = c.userSeparator;
            privatePrefix = c.privatePrefix;
            historyMetaTtl = c.historyMetaTtl;
            withoutNamespace = section(c.withoutNamespace, ChannelOptions::new);
            // Stream.toList: unmodifiable, and keeps a null element rather than throwing.
            namespaces = c.namespaces == null ? null
                    : c.namespaces.stream().map(ns -> section(ns, Namespace::new)).toList();
        }
    }

    /** Per-namespace channel behaviour; see the reference, section 7.2. */
    public static sealed class ChannelOptions permits Namespace {
        public final boolean presence;
        public final boolean joinLeave;
        public final boolean forcePushJoinLeave;
        public final int historySize;
        public final Duration historyTtl;
        public final Duration historyMetaTtl;
        public final boolean forcePositioning;
        public final boolean allowPositioning;
        public final boolean forceRecovery;
        public final boolean allowRecovery;
        public final boolean allowSubscribeForClient;
        public final boolean allowSubscribeForAnonymous;
        public final boolean allowPublishForSubscriber;
        public final boolean allowPublishForClient;
        public final boolean allowPublishForAnonymous;
        public final boolean allowHistoryForSubscriber;
        public final boolean allowHistoryForClient;
        public final boolean allowHistoryForAnonymous;
        public final boolean allowPresenceForSubscriber;
        public final boolean allowPresenceForClient;
        public final boolean allowPresenceForAnonymous;
        public final boolean allowUserLimitedChannels;
        public final String channelRegex;

        ChannelOptions(HeraldConfig.ChannelOptions c) {
            presence = c.presence;
            joinLeave = c.joinLeave;
            forcePushJoinLeave = c.forcePushJoinLeave;
            historySize = c.historySize;
            historyTtl = c.historyTtl;
            historyMetaTtl = c.historyMetaTtl;
            forcePositioning = c.forcePositioning;
            allowPositioning = c.allowPositioning;
            forceRecovery = c.forceRecovery;
            allowRecovery = c.allowRecovery;
            allowSubscribeForClient = c.allowSubscribeForClient;
            allowSubscribeForAnonymous = c.allowSubscribeForAnonymous;
            allowPublishForSubscriber = c.allowPublishForSubscriber;
            allowPublishForClient = c.allowPublishForClient;
            allowPublishForAnonymous = c.allowPublishForAnonymous;
            allowHistoryForSubscriber = c.allowHistoryForSubscriber;
            allowHistoryForClient = c.allowHistoryForClient;
            allowHistoryForAnonymous = c.allowHistoryForAnonymous;
            allowPresenceForSubscriber = c.allowPresenceForSubscriber;
            allowPresenceForClient = c.allowPresenceForClient;
            allowPresenceForAnonymous = c.allowPresenceForAnonymous;
            allowUserLimitedChannels = c.allowUserLimitedChannels;
            channelRegex = c.channelRegex;
        }

        public boolean historyEnabled() {
            return historySize > 0 && historyTtl != null && historyTtl.isPositive();
        }
    }

    public static final class Namespace extends ChannelOptions {
        public final String name;

        Namespace(HeraldConfig.Namespace c) {
            super(c);
            name = c.name;
        }
    }

    public static final class HttpApi {
        public final String key;
        public final boolean insecure;
        public final int maxRequestBodySize;
        /** {@code transport}: API errors become HTTP statuses with a bare error body; empty: HTTP 200 replies. */
        public final String errorMode;

        HttpApi(HeraldConfig.HttpApi c) {
            key = c.key;
            insecure = c.insecure;
            maxRequestBodySize = c.maxRequestBodySize;
            errorMode = c.errorMode;
        }
    }

    public static final class Admin {
        public final boolean enabled;
        public final String password;
        public final String secret;
        public final boolean insecure;

        Admin(HeraldConfig.Admin c) {
            enabled = c.enabled;
            password = c.password;
            secret = c.secret;
            insecure = c.insecure;
        }
    }

    public static final class WebSocket {
        public final boolean disabled;
        public final int messageSizeLimit;
        public final Duration writeTimeout;

        WebSocket(HeraldConfig.WebSocket c) {
            disabled = c.disabled;
            messageSizeLimit = c.messageSizeLimit;
            writeTimeout = c.writeTimeout;
        }
    }

    public static final class Transport {
        public final boolean enabled;
        public final int maxRequestBodySize;

        Transport(HeraldConfig.Transport c) {
            enabled = c.enabled;
            maxRequestBodySize = c.maxRequestBodySize;
        }
    }

    public static final class Engine {
        public final String type;
        public final Redis redis;

        Engine(HeraldConfig.Engine c) {
            type = c.type;
            redis = section(c.redis, Redis::new);
        }
    }

    public static final class Broker {
        public final boolean enabled;
        public final String type;
        public final Redis redis;
        public final Nats nats;

        Broker(HeraldConfig.Broker c) {
            enabled = c.enabled;
            type = c.type;
            redis = section(c.redis, Redis::new);
            nats = section(c.nats, Nats::new);
        }
    }

    public static final class PresenceManager {
        public final boolean enabled;
        public final String type;
        public final Redis redis;

        PresenceManager(HeraldConfig.PresenceManager c) {
            enabled = c.enabled;
            type = c.type;
            redis = section(c.redis, Redis::new);
        }
    }

    public static final class Redis {
        public final List<String> address;
        public final String prefix;
        public final Duration connectTimeout;
        public final Duration ioTimeout;
        public final int db;
        public final String user;
        public final String password;
        public final String clientName;
        public final boolean forceResp2;
        public final List<String> clusterAddress;
        public final List<String> sentinelAddress;
        public final String sentinelUser;
        public final String sentinelPassword;
        public final String sentinelMasterName;
        public final String sentinelClientName;
        public final Toggle tls;
        public final Toggle sentinelTls;
        public final boolean historyUseLists;
        public final Duration presenceTtl;
        public final boolean presenceHashFieldTtl;
        public final boolean presenceUserMapping;

        Redis(HeraldConfig.Redis c) {
            address = list(c.address);
            prefix = c.prefix;
            connectTimeout = c.connectTimeout;
            ioTimeout = c.ioTimeout;
            db = c.db;
            user = c.user;
            password = c.password;
            clientName = c.clientName;
            forceResp2 = c.forceResp2;
            clusterAddress = list(c.clusterAddress);
            sentinelAddress = list(c.sentinelAddress);
            sentinelUser = c.sentinelUser;
            sentinelPassword = c.sentinelPassword;
            sentinelMasterName = c.sentinelMasterName;
            sentinelClientName = c.sentinelClientName;
            tls = section(c.tls, Toggle::new);
            sentinelTls = section(c.sentinelTls, Toggle::new);
            historyUseLists = c.historyUseLists;
            presenceTtl = c.presenceTtl;
            presenceHashFieldTtl = c.presenceHashFieldTtl;
            presenceUserMapping = c.presenceUserMapping;
        }
    }

    public static final class Nats {
        public final String url;
        public final String prefix;
        public final Duration dialTimeout;
        public final Duration writeTimeout;
        public final boolean allowWildcards;
        public final Toggle tls;
        public final Toggle rawMode;

        Nats(HeraldConfig.Nats c) {
            url = c.url;
            prefix = c.prefix;
            dialTimeout = c.dialTimeout;
            writeTimeout = c.writeTimeout;
            allowWildcards = c.allowWildcards;
            tls = section(c.tls, Toggle::new);
            rawMode = section(c.rawMode, Toggle::new);
        }
    }

    public static final class Toggle {
        public final boolean enabled;

        Toggle(HeraldConfig.Toggle c) {
            enabled = c.enabled;
        }
    }

    public static final class Log {
        public final String level;

        Log(HeraldConfig.Log c) {
            level = c.level;
        }
    }

    public static final class Node {
        public final String name;

        Node(HeraldConfig.Node c) {
            name = c.name;
        }
    }

    public static final class Rpc {
        public final RpcPing ping;

        Rpc(HeraldConfig.Rpc c) {
            ping = section(c.ping, RpcPing::new);
        }
    }

    public static final class RpcPing {
        public final boolean enabled;
        public final String method;

        RpcPing(HeraldConfig.RpcPing c) {
            enabled = c.enabled;
            method = c.method;
        }
    }

    public static final class Shutdown {
        public final Duration timeout;

        Shutdown(HeraldConfig.Shutdown c) {
            timeout = c.timeout;
        }
    }

    /** A frozen copy of a section, or null for a null section (only a test can leave one null). */
    private static <M, F> F section(M mutable, Function<M, F> freeze) {
        return mutable == null ? null : freeze.apply(mutable);
    }

    /** An unmodifiable copy; unlike {@link List#copyOf} it keeps null elements a JSON array may have bound. */
    private static <T> List<T> list(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
