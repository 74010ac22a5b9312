package dev.herald.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Node;
import dev.herald.core.cel.ConnectionExpression;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.hub.HubSession;
import dev.herald.core.session.SessionView;
import dev.herald.core.codes.ErrorException;

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
 * (seed 001) and the {@code getUserConnections} RPC extension (seed 002). All read this node's hub through its user
 * index, so listing a user's sessions costs one shard lock whatever the node's size. Only connected sessions are
 * listed: one that is still connecting or already closed is not.
 *
 * <p>Paging ({@code limit} + {@code cursor} on {@code connections}) orders by client id, so a page boundary stays
 * valid while connections come and go: the cursor is the last client id of the page, opaque to callers.
 */
final class SessionsApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CURSOR_PREFIX = "c1:";

    private final Node node;

    SessionsApi(Node node) {
        this.node = node;
    }

    CompletionStage<ApiResult.Connections> connections(ApiRequest.Connections r) {
        boolean byUser = !ApiExecutor.isEmpty(r.user());
        boolean byExpression = !ApiExecutor.isEmpty(r.expression());
        if ((!byUser && !byExpression) || r.limit() < 0) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        List<SessionView> sessions;
        try {
            ConnectionExpression expression = byExpression ? ConnectionExpression.compile(r.expression()) : null;
            if (byUser) {
                sessions = connected(r.user());
                if (expression != null) {
                    sessions = filter(sessions, expression);
                }
            } else {
                sessions = allMatching(expression);
            }
        } catch (ErrorException e) {
            return ApiErrors.fail(e.error());
        }
        boolean paged = r.limit() > 0 || !ApiExecutor.isEmpty(r.cursor());
        String nextCursor = "";
        if (paged) {
            String after;
            try {
                after = decodeCursor(r.cursor());
            } catch (IllegalArgumentException e) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
            Page page = page(sessions, after, r.limit());
            sessions = page.sessions();
            nextCursor = page.more() ? encodeCursor(sessions.getLast().id()) : "";
        }
        return CompletableFuture.completedFuture(
                new ApiResult.Connections(snapshot(sessions), !byUser, nextCursor));
    }

    /** One page of sessions in client id order, and whether more follow it. */
    record Page(List<SessionView> sessions, boolean more) {
    }

    /**
     * The first {@code limit} sessions (0 = all) whose client id sorts after {@code after} (null = from the start),
     * in id order. Keeps only the page's candidates in a bounded heap, so a page of k out of n sessions costs
     * O(n log k), not a sort of all n on every page.
     */
    static Page page(List<SessionView> sessions, String after, int limit) {
        Comparator<SessionView> byId = Comparator.comparing(SessionView::id);
        if (limit <= 0) {
            List<SessionView> all = new ArrayList<>(sessions.size());
            for (SessionView s : sessions) {
                if (after == null || s.id().compareTo(after) > 0) {
                    all.add(s);
                }
            }
            all.sort(byId);
            return new Page(all, false);
        }
        // A max-heap of the limit + 1 smallest ids after the cursor: the extra one says whether a next page exists.
        PriorityQueue<SessionView> smallest = new PriorityQueue<>(limit + 1, byId.reversed());
        for (SessionView s : sessions) {
            if (after != null && s.id().compareTo(after) <= 0) {
                continue;
            }
            if (smallest.size() <= limit) {
                smallest.add(s);
            } else if (s.id().compareTo(smallest.peek().id()) < 0) {
                smallest.poll();
                smallest.add(s);
            }
        }
        boolean more = smallest.size() > limit;
        if (more) {
            smallest.poll();
        }
        List<SessionView> out = new ArrayList<>(smallest);
        out.sort(byId);
        return new Page(out, more);
    }

    CompletionStage<ApiResult.UserConnections> userConnections(ApiRequest.UserConnections r) {
        if (ApiExecutor.isEmpty(r.user())) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        return CompletableFuture.completedFuture(new ApiResult.UserConnections(snapshot(connected(r.user()))));
    }

    /** The {@code getUserConnections} RPC: params {@code {"user": "42"}}, user required (107 otherwise). */
    CompletionStage<ApiResult.ConnectionMap> getUserConnections(byte[] params) {
        String user = null;
        if (params != null && params.length > 0) {
            try {
                JsonNode node = JSON.readTree(params);
                if (node != null && node.get("user") != null && node.get("user").isTextual()) {
                    user = node.get("user").textValue();
                }
            } catch (IOException e) {
                return ApiErrors.fail(ApiErrors.BAD_REQUEST);
            }
        }
        if (ApiExecutor.isEmpty(user)) {
            return ApiErrors.fail(ApiErrors.BAD_REQUEST);
        }
        return CompletableFuture.completedFuture(new ApiResult.ConnectionMap(snapshot(connected(user))));
    }

    private List<SessionView> connected(String user) {
        List<HubSession> all = node.hub().userSessions(user);
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
    private List<SessionView> allMatching(ConnectionExpression expression) {
        List<SessionView> out = new ArrayList<>();
        node.hub().forEachSession(s -> {
            if (s.connected() && s.app().equals(ChannelKey.DEFAULT_APP) && expression.matches(s)) {
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

    private static Map<String, ConnectionInfo> snapshot(List<SessionView> sessions) {
        Map<String, ConnectionInfo> out = new LinkedHashMap<>();
        for (SessionView s : sessions) {
            out.put(s.id(), ConnectionInfo.of(s));
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
}
