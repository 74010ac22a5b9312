package dev.herald.server.api;

import dev.herald.core.api.ApiErrors;
import dev.herald.core.api.ApiExecutor;
import dev.herald.core.api.ApiRequest;
import dev.herald.core.config.FrozenConfig;
import dev.herald.protocol.ReplyError;
import dev.herald.server.http.HttpService;
import dev.herald.server.http.Responses;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Centrifugo's HTTP server API over one {@link ApiExecutor}: {@code POST /api/<method>} with the params as body
 * (reply {@code {"result":...}} or {@code {"error":...}}), and the legacy {@code POST /api} with
 * {@code {"method":..., "params":...}} commands, several per body separated by newlines, answered line by line.
 *
 * <p>Checks in Centrifugo's order: unknown path 404, then non-POST 405, then the API key 401 (empty body; an
 * empty configured key refuses everything unless {@code http_api.insecure}), then the body size 413. A body that
 * is not JSON, or holds a value of the wrong type, is a 400 with a plain-text reason. API errors are HTTP 200 with
 * an error object, unless {@code http_api.error_mode} is {@code transport} or the request sends
 * {@code X-Centrifugo-Error-Mode: transport}: then the bare error object comes with an HTTP status (reference 4.1;
 * batch and broadcast still report per-item errors).
 *
 * <p>{@link #handle} reads what it needs from the request before returning, never blocks, and may complete on
 * another thread when an engine answers asynchronously.
 */
public final class ApiHttpService implements HttpService {
    private static final String PREFIX = "/api";
    private static final String ERROR_MODE_HEADER = "X-Centrifugo-Error-Mode";

    private final ApiExecutor executor;
    private final FrozenConfig.HttpApi config;
    private final byte[] key;

    public ApiHttpService(ApiExecutor executor, FrozenConfig config) {
        this.executor = executor;
        this.config = config.httpApi;
        this.key = config.httpApi.key == null ? new byte[0] : config.httpApi.key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public CompletionStage<FullHttpResponse> handle(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String method = route(uri.path());
        if (method == null) {
            return done(Responses.text(HttpResponseStatus.NOT_FOUND, "404 page not found\n"));
        }
        if (!HttpMethod.POST.equals(request.method())) {
            return done(empty(HttpResponseStatus.METHOD_NOT_ALLOWED));
        }
        if (!config.insecure && !authorized(request.headers(), uri)) {
            return done(empty(HttpResponseStatus.UNAUTHORIZED));
        }
        int max = config.maxRequestBodySize;
        if (max > 0 && request.content().readableBytes() > max) {
            return done(Responses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large\n"));
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        boolean transportErrors = "transport".equalsIgnoreCase(config.errorMode)
                || "transport".equalsIgnoreCase(request.headers().get(ERROR_MODE_HEADER));
        try {
            return method.isEmpty() ? legacy(body) : single(method, body, transportErrors);
        } catch (BadJsonException e) {
            return done(Responses.text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n"));
        }
    }

    /** "" for the legacy endpoint, the method for {@code /api/<method>}, null for anything else. */
    private static String route(String path) {
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            return "";
        }
        if (path.startsWith(PREFIX + "/")) {
            String method = path.substring(PREFIX.length() + 1);
            return ApiRequestDecoder.METHODS.contains(method) ? method : null;
        }
        return null;
    }

    /** {@code X-API-Key}, else {@code Authorization: apikey KEY}; then the {@code api_key} query parameter. */
    private boolean authorized(HttpHeaders headers, QueryStringDecoder uri) {
        if (key.length == 0) {
            return false;
        }
        String apiKey = headers.get("X-API-Key");
        if (apiKey != null && !apiKey.isEmpty()) {
            if (matches(apiKey)) {
                return true;
            }
        } else {
            String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null) {
                String[] parts = authorization.trim().split("\\s+");
                if (parts.length == 2 && parts[0].toLowerCase(Locale.ROOT).equals("apikey") && matches(parts[1])) {
                    return true;
                }
            }
        }
        List<String> query = uri.parameters().get("api_key");
        return query != null && !query.isEmpty() && matches(query.getFirst());
    }

    private boolean matches(String candidate) {
        return MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
    }

    private CompletionStage<FullHttpResponse> single(String method, byte[] body, boolean transportErrors)
            throws BadJsonException {
        JsonFields params = isBlank(body) ? JsonFields.empty() : JsonFields.parse(body, 0, body.length);
        ApiRequest request = ApiRequestDecoder.decode(method, params);
        return executor.execute(request).handle((result, error) -> {
            if (error == null) {
                return Responses.of(HttpResponseStatus.OK, "application/json",
                        ApiResponseEncoder.result(ByteBufAllocator.DEFAULT, result));
            }
            ReplyError apiError = ApiErrors.of(error);
            if (transportErrors) {
                return json(HttpResponseStatus.valueOf(httpStatus(apiError)), ApiResponseEncoder.bareError(apiError));
            }
            return json(HttpResponseStatus.OK, ApiResponseEncoder.error(apiError));
        });
    }

    /**
     * The legacy form: every command is decoded before any runs (a body that is not JSON runs nothing), then they
     * run one after another and their replies are joined by newlines, in order. A command whose method is unknown
     * or whose params are malformed gets its own error reply; the others still run.
     */
    private CompletionStage<FullHttpResponse> legacy(byte[] body) throws BadJsonException {
        if (isBlank(body)) {
            throw new BadJsonException("empty request body");
        }
        List<JsonFields> lines = JsonFields.parseStream(body);
        List<LegacyCommand> commands = new ArrayList<>(lines.size());
        for (JsonFields line : lines) {
            commands.add(legacyCommand(line));
        }
        List<byte[]> replies = new ArrayList<>(commands.size());
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (LegacyCommand command : commands) {
            chain = chain.thenCompose(v -> executor.execute(command.request()).handle((result, error) -> {
                replies.add(error == null
                        ? ApiResponseEncoder.legacyReply(command.id(), result, null)
                        : ApiResponseEncoder.legacyReply(command.id(), null, ApiErrors.of(error)));
                return null;
            }));
        }
        return chain.thenApply(v -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < replies.size(); i++) {
                if (i > 0) {
                    out.write('\n');
                }
                out.writeBytes(replies.get(i));
            }
            return json(HttpResponseStatus.OK, out.toByteArray());
        });
    }

    private record LegacyCommand(long id, ApiRequest request) {
    }

    /**
     * One legacy command. As in Centrifugo, {@code method} is a case-insensitive name or the numeric enum, and an
     * absent method is the enum's zero value, publish. Herald also accepts {@code user_connections} and
     * {@code batch} by name.
     */
    private static LegacyCommand legacyCommand(JsonFields line) throws BadJsonException {
        long id = line.integer("id");
        if (id < 0 || id > 0xFFFF_FFFFL) {
            throw BadJsonException.type("id", "an unsigned 32-bit integer");
        }
        String method;
        String label;
        if (!line.has("method")) {
            method = "publish";
            label = method;
        } else if (line.isString("method")) {
            label = line.string("method");
            method = ApiRequestDecoder.legacyMethod(label);
        } else {
            long number = line.integer("method");
            label = Long.toString(number);
            method = ApiRequestDecoder.legacyMethod(number);
        }
        ApiRequest request = method == null
                ? new ApiRequest.Invalid(label, ApiErrors.NOT_FOUND)
                : ApiRequestDecoder.decodeOrInvalid(method, line, "params");
        return new LegacyCommand(id, request);
    }

    /** HTTP status of an API error in the transport error mode (reference 4.1). */
    static int httpStatus(ReplyError error) {
        return switch (error.code()) {
            case 102, 104 -> 404;
            case 107, 108 -> 400;
            case 112 -> 416;
            case 113 -> 409;
            default -> 500;
        };
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        return Responses.of(status, "application/json", body);
    }

    private static FullHttpResponse empty(HttpResponseStatus status) {
        return Responses.of(status, null, new byte[0]);
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
