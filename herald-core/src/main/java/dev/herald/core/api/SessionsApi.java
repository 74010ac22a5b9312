package dev.herald.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Node;
import dev.herald.core.cel.ConnectionExpression;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.cluster.SurveyResult;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.hub.HubSession;
import dev.herald.core.session.SessionView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The sessions API in its three historical shapes: {@code connections} (seed 000), {@code user_connections}
 * (seed 001) and the {@code getUserConnections} RPC extension (seed 002), answered by every node of the cluster.
 * Each is a survey: every node lists its own connected sessions of the user (one shard lock, whatever the
 * node's size) and/or those its CEL expression matches, and the requester merges the answers. A node that did
 * not answer in time is named in the result ({@code complete: false}) instead of failing the call. Only connected
 * sessions are listed: one that is still connecting or already closed is not.
 *
 * <p>Paging ({@code limit} + {@code cursor} on {@code connections}) orders by client id, so a page boundary stays
 * valid while connections come and go: the cursor is the last client id of the page, opaque to callers.
 */
final class SessionsApi {
    static final String SURVEY_OP = "connections";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CURSOR_PREFIX = "c1:";

    private final Node node;

    SessionsApi(Node node) {
        this.node = node;
        node.control().registerSurvey(SURVEY_OP, payload -> CompletableFuture.completedFuture(
                answer(ListingCodec.decodeConnectionsQuery(payload))));
    }

    /** A merged listing: connections by client id, in node order then each node's order, and who is missing. */
    private record Gathered(Map<String, ConnectionInfo> connections, List<String> missing) {
    }

    CompletionStage<ApiResult.Connections> connections(ApiRequest.Connections r) {
        boolean byUser = !ApiExecutor.isEmpty(r.user());
        boolean byExpression = !ApiExecutor.isEmpty(r.expression());
        if ((!byUser && !byExpression) || r.limit() < 0) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        String after;
        try {
            if (byExpression) {
                // Checked here first, so a bad expression fails with its own 107 before any node is asked.
                ConnectionExpression.compile(r.expression());
            }
            after = decodeCursor(r.cursor());
        } catch (ErrorException e) {
            return ApiErrors.fail(e.error());
        } catch (IllegalArgumentException e) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        boolean paged = r.limit() > 0 || !ApiExecutor.isEmpty(r.cursor());
        return gather(new ListingCodec.ConnectionsQuery(ChannelKey.DEFAULT_APP, nonNull(r.user()),
                nonNull(r.expression()))).thenApply(g -> {
            if (!paged) {
                return new ApiResult.Connections(g.connections(), !byUser, "", g.missing());
            }
            Page page = page(List.copyOf(g.connections().values()), after, r.limit());
            Map<String, ConnectionInfo> out = new LinkedHashMap<>();
            for (ConnectionInfo c : page.connections()) {
                out.put(c.client(), c);
            }
            String next = page.more() ? encodeCursor(page.connections().getLast().client()) : "";
            return new ApiResult.Connections(out, !byUser, next, g.missing());
        });
    }

    /** One page of connections in client id order, and whether more follow it. */
    record Page(List<ConnectionInfo> connections, boolean more) {
    }

    /**
     * The first {@code limit} connections (0 = all) whose client id sorts after {@code after} (null = from the
     * start), in id order. Keeps only the page's candidates in a bounded heap, so a page of k out of n connections
     * costs O(n log k), not a sort of all n on every page.
     */
    static Page page(List<ConnectionInfo> connections, String after, int limit) {
        Comparator<ConnectionInfo> byId = Comparator.comparing(ConnectionInfo::client);
        if (limit <= 0) {
            List<ConnectionInfo> all = new ArrayList<>(connections.size());
            for (ConnectionInfo c : connections) {
                if (after == null || c.client().compareTo(after) > 0) {
                    all.add(c);
                }
            }
            all.sort(byId);
            return new Page(all, false);
        }
        // A max-heap of the limit + 1 smallest ids after the cursor: the extra one says whether a next page exists.
        PriorityQueue<ConnectionInfo> smallest = new PriorityQueue<>(limit + 1, byId.reversed());
        for (ConnectionInfo c : connections) {
            if (after != null && c.client().compareTo(after) <= 0) {
                continue;
            }
            if (smallest.size() <= limit) {
                smallest.add(c);
            } else if (c.client().compareTo(smallest.peek().client()) < 0) {
                smallest.poll();
                smallest.add(c);
            }
        }
        boolean more = smallest.size() > limit;
        if (more) {
            smallest.poll();
        }
        List<ConnectionInfo> out = new ArrayList<>(smallest);
        out.sort(byId);
        return new Page(out, more);
    }

    CompletionStage<ApiResult.UserConnections> userConnections(ApiRequest.UserConnections r) {
        if (ApiExecutor.isEmpty(r.user())) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        return gather(new ListingCodec.ConnectionsQuery(ChannelKey.DEFAULT_APP, r.user(), ""))
                .thenApply(g -> new ApiResult.UserConnections(g.connections(), g.missing()));
    }

    /** The {@code getUserConnections} RPC: params {@code {"user": "42"}}, user required (107 otherwise). */
    CompletionStage<ApiResult.ConnectionMap> getUserConnections(byte[] params) {
        String user = null;
        if (params != null && params.length > 0) {
            try {
                JsonNode json = JSON.readTree(params);
                if (json != null && json.get("user") != null && json.get("user").isTextual()) {
                    user = json.get("user").textValue();
                }
            } catch (IOException e) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
        }
        if (ApiExecutor.isEmpty(user)) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        return gather(new ListingCodec.ConnectionsQuery(ChannelKey.DEFAULT_APP, user, ""))
                .thenApply(g -> new ApiResult.ConnectionMap(g.connections(), g.missing()));
    }

    /**
     * Asks every node and merges; a node that answered with an API error (e.g. 106, its CEL budget spent) fails
     * the call with that error, as it would on a single node.
     */
    private CompletionStage<Gathered> gather(ListingCodec.ConnectionsQuery query) {
        return node.control().survey(SURVEY_OP, ListingCodec.encode(query)).thenApply(result -> {
            SurveyResult<ListingCodec.ConnectionsAnswer> answers = result.map(ListingCodec::decodeConnections);
            Map<String, ConnectionInfo> out = new LinkedHashMap<>();
            for (ListingCodec.ConnectionsAnswer answer : answers.answers().values()) {
                if (answer.error() != null) {
                    throw new ErrorException(answer.error());
                }
                for (ConnectionInfo c : answer.connections()) {
                    out.put(c.client(), c);
                }
            }
            List<String> missing = new ArrayList<>(answers.missing());
            missing.addAll(answers.errors().keySet());
            return new Gathered(out, List.copyOf(missing));
        });
    }

    /** This node's answer to a connections survey. */
    private byte[] answer(ListingCodec.ConnectionsQuery query) {
        try {
            ConnectionExpression expression = query.expression().isEmpty() ? null
                    : ConnectionExpression.compile(query.expression());
            List<SessionView> sessions;
            if (!query.user().isEmpty()) {
                sessions = connected(query.app(), query.user());
                if (expression != null) {
                    sessions = filter(sessions, expression);
                }
            } else if (expression != null) {
                sessions = allMatching(query.app(), expression);
            } else {
                sessions = List.of();
            }
            List<ConnectionInfo> out = new ArrayList<>(sessions.size());
            for (SessionView s : sessions) {
                out.add(ConnectionInfo.of(s));
            }
            return ListingCodec.encodeConnections(out);
        } catch (ErrorException e) {
            return ListingCodec.encodeError(e.error());
        }
    }

    private List<SessionView> connected(String app, String user) {
        List<HubSession> all = node.hub().userSessions(app, user);
        List<SessionView> out = new ArrayList<>(all.size());
        for (HubSession s : all) {
            if (s.connected()) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The connected sessions of this node the expression matches, for expression-only queries: filtered while
     * walking the hub, without a list of every session first.
     */
    private List<SessionView> allMatching(String app, ConnectionExpression expression) {
        List<SessionView> out = new ArrayList<>();
        node.hub().forEachSession(s -> {
            if (s.connected() && s.app().equals(app) && expression.matches(s)) {
                out.add(s);
            }
        });
        return out;
    }

    /** Keeps the sessions the expression matches; a call that spends its evaluation budget fails with 106. */
    private static List<SessionView> filter(List<SessionView> sessions, ConnectionExpression expression) {
        List<SessionView> out = new ArrayList<>();
        for (SessionView s : sessions) {
            if (expression.matches(s)) {
                out.add(s);
            }
        }
        return out;
    }

    static String encodeCursor(String clientId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + clientId).getBytes(StandardCharsets.UTF_8));
    }

    /** The client id a cursor points after, or null for none; a cursor Herald did not make is refused. */
    static String decodeCursor(String cursor) {
        if (ApiExecutor.isEmpty(cursor)) {
            return null;
        }
        String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (!decoded.startsWith(CURSOR_PREFIX)) {
            throw new IllegalArgumentException("not a connections cursor");
        }
        return decoded.substring(CURSOR_PREFIX.length());
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
