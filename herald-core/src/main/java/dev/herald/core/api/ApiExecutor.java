package dev.herald.core.api;

import dev.herald.core.Node;
import dev.herald.core.auth.SubscribeOptions;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.cluster.SurveyResult;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.config.FrozenConfig.ChannelOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.StreamPosition;
import dev.herald.protocol.control.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The server API: one method per call, each taking its request record and completing with its result, or
 * exceptionally with an {@link ErrorException} carrying the API error (any other failure stands for 100). HTTP,
 * gRPC, the admin UI and the Pusher HTTP API all call this; it knows no wire format.
 *
 * <p>Calls never block: they may be made from an event loop. Listings that walk every session or channel
 * ({@code connections} with an expression, {@code channels}, {@code info}) run on the {@code listings} executor,
 * never on the caller's thread; when its queue is full they fail with 111 (too many requests).
 *
 * <p>Every call acts on the whole cluster through {@link dev.herald.core.NodeControl}: actions on connections
 * ({@code disconnect}, {@code subscribe}, {@code unsubscribe}, {@code refresh}) complete once every node has
 * applied them (a disconnected session is out of its node's hub by then), and listings merge every node's answer,
 * naming the nodes that did not answer in time.
 */
public final class ApiExecutor {
    private static final Logger log = LoggerFactory.getLogger(ApiExecutor.class);
    private static final CompletionStage<ApiResult.Empty> EMPTY =
            CompletableFuture.completedStage(ApiResult.Empty.INSTANCE);

    /** A server API RPC extension: params are raw JSON or null. */
    @FunctionalInterface
    public interface RpcExtension {
        CompletionStage<? extends ApiResult> call(byte[] params);
    }

    private static final String CHANNELS_OP = "channels";

    private final Node node;
    private final SessionsApi sessions;
    private final Executor listings;
    private final Map<String, RpcExtension> rpcExtensions = new ConcurrentHashMap<>();

    /** Runs listings in place, on the caller's thread: for tests and tools, not for a server's event loops. */
    public ApiExecutor(Node node) {
        this(node, Runnable::run);
    }

    /** {@code listings}: a small bounded executor for the calls that walk the whole hub. */
    public ApiExecutor(Node node, Executor listings) {
        this.node = node;
        this.listings = listings;
        this.sessions = new SessionsApi(node);
        node.control().registerSurvey(CHANNELS_OP, payload -> CompletableFuture.completedFuture(
                localChannels(ListingCodec.decodeChannelsQuery(payload))));
        registerRpc("getUserConnections", sessions::getUserConnections);
    }

    /** Registers (or replaces) an RPC extension reachable through the {@code rpc} method. */
    public void registerRpc(String method, RpcExtension extension) {
        rpcExtensions.put(method, extension);
    }

    /** Runs any request; the typed methods below are the same calls with their precise result types. */
    public CompletionStage<? extends ApiResult> execute(ApiRequest request) {
        long started = System.nanoTime();
        String method = METHOD_NAMES.get(request.getClass());
        CompletionStage<? extends ApiResult> result = dispatch(request);
        result.whenComplete((r, error) -> node.telemetry().apiCall(method, System.nanoTime() - started,
                error != null));
        return result;
    }

    /** Metric label of a request type: {@code PresenceStats} -> {@code presence_stats}. */
    private static final ClassValue<String> METHOD_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        }
    };

    private CompletionStage<? extends ApiResult> dispatch(ApiRequest request) {
        return switch (request) {
            case ApiRequest.Publish r -> publish(r);
            case ApiRequest.Broadcast r -> broadcast(r);
            case ApiRequest.Subscribe r -> subscribe(r);
            case ApiRequest.Unsubscribe r -> unsubscribe(r);
            case ApiRequest.Disconnect r -> disconnect(r);
            case ApiRequest.Refresh r -> refresh(r);
            case ApiRequest.Presence r -> presence(r);
            case ApiRequest.PresenceStats r -> presenceStats(r);
            case ApiRequest.History r -> history(r);
            case ApiRequest.HistoryRemove r -> historyRemove(r);
            case ApiRequest.Channels r -> channels(r);
            case ApiRequest.Info r -> info(r);
            case ApiRequest.Rpc r -> rpc(r);
            case ApiRequest.Batch r -> batch(r);
            case ApiRequest.Connections r -> connections(r);
            case ApiRequest.UserConnections r -> userConnections(r);
            case ApiRequest.Invalid r -> ApiErrors.fail(r.error());
        };
    }

    public CompletionStage<ApiResult.Publish> publish(ApiRequest.Publish r) {
        return guard("publish", () -> {
            if (isEmpty(r.channel())) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            byte[] data = payload(r.data(), r.b64data());
            if (data == null) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            return publishOne(r.channel(), data, r.tags(), r.skipHistory(), r.idempotencyKey());
        });
    }

    public CompletionStage<ApiResult.Broadcast> broadcast(ApiRequest.Broadcast r) {
        return guard("broadcast", () -> {
            if (r.channels() == null || r.channels().isEmpty()) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            byte[] data = payload(r.data(), r.b64data());
            if (data == null) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            List<CompletableFuture<ApiResult.PublishReply>> replies = new ArrayList<>(r.channels().size());
            for (String channel : r.channels()) {
                CompletionStage<ApiResult.Publish> published = isEmpty(channel)
                        ? ApiErrors.fail(ApiErrors.BAD_REQUEST)
                        : guard("broadcast", () -> publishOne(channel, data, r.tags(), r.skipHistory(),
                        r.idempotencyKey()));
                replies.add(published.handle((result, error) -> error == null
                        ? new ApiResult.PublishReply(result, null)
                        : new ApiResult.PublishReply(null, logged("broadcast", error))).toCompletableFuture());
            }
            return allOf(replies).thenApply(ApiResult.Broadcast::new);
        });
    }

    /**
     * Subscribes matching connections server-side (source 10, "server API"); each gets a subscribe push carrying
     * {@code data}, and the publications recovered from {@code recover_since} when the channel is recoverable. The
     * subscription expires at {@code expire_at} (Unix seconds, 0 = never).
     */
    public CompletionStage<ApiResult.Empty> subscribe(ApiRequest.Subscribe r) {
        return guard("subscribe", () -> {
            if (isEmpty(r.channel())) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            node.rules().options(r.channel());
            SubscribeOptions.Override o = r.override();
            ControlMessage.Subscribe.Override override = o == null ? null : new ControlMessage.Subscribe.Override(
                    o.presence(), o.joinLeave(), o.forceRecovery(), o.forcePositioning(), o.forcePushJoinLeave());
            return done(node.control().subscribe(new ControlMessage.Subscribe(node.id(), ChannelKey.DEFAULT_APP,
                    nonNull(r.user()), r.channel(), nonNull(r.client()), nonNull(r.session()),
                    payload(r.info(), r.b64info()), payload(r.data(), r.b64data()), r.recoverSince(), r.expireAt(),
                    override)));
        });
    }

    public CompletionStage<ApiResult.Empty> unsubscribe(ApiRequest.Unsubscribe r) {
        return guard("unsubscribe", () -> {
            if (isEmpty(r.channel())) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            node.rules().options(r.channel());
            return done(node.control().unsubscribe(nonNull(r.user()), r.channel(), nonNull(r.client()),
                    nonNull(r.session())));
        });
    }

    public CompletionStage<ApiResult.Empty> disconnect(ApiRequest.Disconnect r) {
        return guard("disconnect", () -> {
            Disconnect disconnect = r.disconnect() == null || r.disconnect().code() == 0
                    ? Disconnect.FORCE_DISCONNECT
                    : new Disconnect(r.disconnect().code(), nonNull(r.disconnect().reason()));
            Set<String> whitelist = r.whitelist() == null || r.whitelist().isEmpty() ? null
                    : new HashSet<>(r.whitelist());
            return done(node.control().disconnect(nonNull(r.user()), nonNull(r.client()), nonNull(r.session()),
                    whitelist, disconnect));
        });
    }

    public CompletionStage<ApiResult.Empty> refresh(ApiRequest.Refresh r) {
        return guard("refresh", () -> {
            return done(node.control().refresh(nonNull(r.user()), nonNull(r.client()), nonNull(r.session()),
                    r.expired(), r.expireAt(), r.info()));
        });
    }

    public CompletionStage<ApiResult.Presence> presence(ApiRequest.Presence r) {
        return guard("presence", () -> {
            if (!presenceEnabled(r.channel())) {
                return ApiErrors.fail(ApiErrors.NOT_AVAILABLE);
            }
            return node.presence().presence(ChannelKey.of(r.channel())).thenApply(p -> new ApiResult.Presence(new TreeMap<>(p)));
        });
    }

    public CompletionStage<ApiResult.PresenceStats> presenceStats(ApiRequest.PresenceStats r) {
        return guard("presenceStats", () -> {
            if (!presenceEnabled(r.channel())) {
                return ApiErrors.fail(ApiErrors.NOT_AVAILABLE);
            }
            return node.presence().presenceStats(ChannelKey.of(r.channel()))
                    .thenApply(s -> new ApiResult.PresenceStats(s.numClients(), s.numUsers()));
        });
    }

    public CompletionStage<ApiResult.History> history(ApiRequest.History r) {
        return guard("history", () -> {
            if (isEmpty(r.channel())) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            return node.history(r.channel(), r.since(), r.limit(), r.reverse())
                    .thenApply(page -> new ApiResult.History(page.publications(), page.top().offset(),
                            nonNull(page.top().epoch())));
        });
    }

    public CompletionStage<ApiResult.Empty> historyRemove(ApiRequest.HistoryRemove r) {
        return guard("historyRemove", () -> {
            if (isEmpty(r.channel())) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            if (!node.rules().options(r.channel()).historyEnabled()) {
                return ApiErrors.fail(ApiErrors.NOT_AVAILABLE);
            }
            return node.historyRemove(r.channel()).thenApply(v -> ApiResult.Empty.INSTANCE);
        });
    }

    /** Channels with subscribers on any node, with their subscriber counts summed. */
    public CompletionStage<ApiResult.Channels> channels(ApiRequest.Channels r) {
        return offLoop("channels", () -> {
            try {
                if (!isEmpty(r.pattern())) {
                    Glob.compile(r.pattern());
                }
            } catch (IllegalArgumentException e) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            byte[] query = ListingCodec.encode(new ListingCodec.ChannelsQuery(ChannelKey.DEFAULT_APP,
                    nonNull(r.pattern())));
            return node.control().survey(CHANNELS_OP, query).thenApply(result -> {
                SurveyResult<ListingCodec.ChannelsAnswer> answers = result.map(ListingCodec::decodeChannels);
                Map<String, Integer> out = new TreeMap<>();
                for (ListingCodec.ChannelsAnswer answer : answers.answers().values()) {
                    if (answer.error() != null) {
                        throw new ErrorException(answer.error());
                    }
                    answer.channels().forEach((channel, count) -> out.merge(channel, count, Integer::sum));
                }
                return new ApiResult.Channels(out, missing(answers));
            });
        });
    }

    /** This node's answer to a channels survey. */
    private byte[] localChannels(ListingCodec.ChannelsQuery query) {
        Glob glob;
        try {
            glob = query.pattern().isEmpty() ? null : Glob.compile(query.pattern());
        } catch (IllegalArgumentException e) {
            return ListingCodec.encodeError(ApiErrors.BAD_REQUEST);
        }
        Map<String, Integer> out = new TreeMap<>();
        node.hub().channels(query.app()).forEach((channel, count) -> {
            if (glob == null || glob.matches(channel)) {
                out.put(channel, count);
            }
        });
        return ListingCodec.encodeChannels(out);
    }

    /** Every live node of the cluster, this one first. */
    public CompletionStage<ApiResult.Info> info(ApiRequest.Info r) {
        return offLoop("info", () -> CompletableFuture.completedFuture(new ApiResult.Info(node.control().nodes())));
    }

    public CompletionStage<ApiResult.Rpc> rpc(ApiRequest.Rpc r) {
        return guard("rpc", () -> {
            if (isEmpty(r.method())) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            RpcExtension extension = rpcExtensions.get(r.method());
            if (extension == null) {
                return ApiErrors.fail(ApiErrors.NOT_FOUND);
            }
            return extension.call(r.params()).thenApply(data -> new ApiResult.Rpc(data));
        });
    }

    /**
     * Runs the commands in order, each after the previous one completed, or all at once when {@code parallel};
     * replies keep the commands' order either way. A failed command fails only its own reply.
     */
    public CompletionStage<ApiResult.Batch> batch(ApiRequest.Batch r) {
        return guard("batch", () -> {
            List<ApiRequest> commands = r.commands() == null ? List.of() : r.commands();
            List<CompletableFuture<ApiResult.BatchReply>> replies = new ArrayList<>(commands.size());
            CompletableFuture<?> previous = CompletableFuture.completedFuture(null);
            for (ApiRequest command : commands) {
                CompletableFuture<ApiResult.BatchReply> reply;
                if (command instanceof ApiRequest.Batch) {
                    reply = CompletableFuture.completedFuture(
                            new ApiResult.BatchReply("batch", null, ApiErrors.NOT_FOUND));
                } else if (r.parallel()) {
                    reply = batchReply(command);
                } else {
                    reply = previous.thenCompose(v -> batchReply(command));
                }
                replies.add(reply);
                previous = reply;
            }
            return allOf(replies).thenApply(ApiResult.Batch::new);
        });
    }

    private CompletableFuture<ApiResult.BatchReply> batchReply(ApiRequest command) {
        return execute(command).handle((result, error) -> error == null
                ? new ApiResult.BatchReply(command.apiMethod(), result, null)
                : new ApiResult.BatchReply(command.apiMethod(), null, logged(command.apiMethod(), error)))
                .toCompletableFuture();
    }

    /**
     * By user alone the listing reads one user's sessions (one shard lock) and runs in place; with an expression it
     * may walk every session, so it goes to the listings executor.
     */
    public CompletionStage<ApiResult.Connections> connections(ApiRequest.Connections r) {
        if (isEmpty(r.expression())) {
            return guard("connections", () -> sessions.connections(r));
        }
        return offLoop("connections", () -> sessions.connections(r));
    }

    public CompletionStage<ApiResult.UserConnections> userConnections(ApiRequest.UserConnections r) {
        return guard("user_connections", () -> sessions.userConnections(r));
    }

    // ---- helpers ----

    /** An action is done once every node has applied it (or the survey timed out); the API answers empty. */
    private static CompletionStage<ApiResult.Empty> done(CompletionStage<SurveyResult<Integer>> action) {
        return action.thenApply(result -> {
            if (!result.complete()) {
                log.warn("server API action incomplete: no answer from {}, errors {}", result.missing(),
                        result.errors());
            }
            return ApiResult.Empty.INSTANCE;
        });
    }

    private static List<String> missing(SurveyResult<?> result) {
        List<String> out = new ArrayList<>(result.missing());
        out.addAll(result.errors().keySet());
        return List.copyOf(out);
    }

    /** Runs a call on the listings executor; a full queue fails it with 111 at once. */
    private <T> CompletionStage<T> offLoop(String method, Supplier<CompletionStage<T>> call) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            listings.execute(() -> guard(method, call).whenComplete((result, error) -> {
                if (error != null) {
                    out.completeExceptionally(error);
                } else {
                    out.complete(result);
                }
            }));
        } catch (RejectedExecutionException e) {
            return ApiErrors.fail(ApiErrors.TOO_MANY_REQUESTS);
        }
        return out;
    }

    /** Turns a synchronous failure of a call into a failed stage, so callers see one failure path. */
    private static <T> CompletionStage<T> guard(String method, Supplier<CompletionStage<T>> call) {
        try {
            return call.get();
        } catch (ErrorException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            log.warn("API {} failed", method, e);
            return ApiErrors.fail(ApiErrors.INTERNAL);
        }
    }

    private boolean presenceEnabled(String channel) {
        if (isEmpty(channel)) {
            throw new ErrorException(ApiErrors.BAD_REQUEST);
        }
        ChannelOptions options = node.rules().options(channel);
        return options.presence;
    }

    private CompletionStage<ApiResult.Publish> publishOne(String channel, byte[] data, Map<String, String> tags,
                                                          boolean skipHistory, String idempotencyKey) {
        return node.publish(channel, data, null, tags, skipHistory, emptyToNull(idempotencyKey))
                .thenApply(ApiExecutor::publishResult);
    }

    /** The payload from {@code b64data} when set, else {@code data}; null when neither is. */
    private static byte[] payload(byte[] data, String b64data) {
        if (!isEmpty(b64data)) {
            try {
                return Base64.getDecoder().decode(b64data);
            } catch (IllegalArgumentException e) {
                throw new ErrorException(ApiErrors.BAD_REQUEST);
            }
        }
        return data == null || data.length == 0 ? null : data;
    }

    private static ApiResult.Publish publishResult(PublishOutcome outcome) {
        StreamPosition position = outcome.position();
        return position == null ? new ApiResult.Publish(0, "")
                : new ApiResult.Publish(position.offset(), nonNull(position.epoch()));
    }

    private static ReplyError logged(String method, Throwable error) {
        ReplyError apiError = ApiErrors.of(error);
        if (apiError == ApiErrors.INTERNAL) {
            log.warn("API {} failed", method, error);
        }
        return apiError;
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
