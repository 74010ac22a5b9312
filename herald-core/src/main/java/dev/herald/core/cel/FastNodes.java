package dev.herald.core.cel;

import dev.herald.core.cel.FastPath.Eval;
import dev.herald.core.session.SessionView;

import java.util.List;
import java.util.Map;

/**
 * The nodes of a {@link FastPath}: each evaluates like cel-java's interpreter does the same call (children in the same
 * order, the first error stops a strict call, one step per completed node), or answers {@link #UNSUPPORTED} where a
 * runtime value is outside what it models.
 */
final class FastNodes {
    /** A CEL error value (a missing key, ...): propagates through strict calls, absorbed by && and ||. */
    static final Object ERROR = new Object() {
        @Override
        public String toString() {
            return "<error>";
        }
    };
    /** Not modelled: abandon the fast evaluation. */
    static final Object UNSUPPORTED = new Object() {
        @Override
        public String toString() {
            return "<unsupported>";
        }
    };

    private FastNodes() {
    }

    abstract static class Node {
        /** The value, {@link #ERROR} or {@link #UNSUPPORTED}; counts a step when it completes with a value. */
        abstract Object eval(Eval e);
    }

    private static boolean abort(Object v) {
        return v == ERROR || v == UNSUPPORTED;
    }

    static final class Const extends Node {
        private final Object value;

        Const(Object value) {
            this.value = value;
        }

        @Override
        Object eval(Eval e) {
            e.steps++;
            return value;
        }
    }

    enum Var { CLIENT, USER, TRANSPORT, PROTOCOL, APP_NAME, APP_VERSION, TOKEN_UID, TOKEN_ISSUED_AT,
        CONNECTED_AT, META }

    static final class Ident extends Node {
        private final Var var;

        Ident(Var var) {
            this.var = var;
        }

        @Override
        Object eval(Eval e) {
            SessionView s = e.session;
            Object v = switch (var) {
                case CLIENT -> s.id();
                case USER -> nonNull(s.user());
                case TRANSPORT -> s.transportName();
                case PROTOCOL -> s.protocolName();
                case APP_NAME -> nonNull(s.appName());
                case APP_VERSION -> nonNull(s.appVersion());
                case TOKEN_UID -> nonNull(s.tokenId());
                case TOKEN_ISSUED_AT -> s.tokenIssuedAt();
                case CONNECTED_AT -> s.connectedAtMillis();
                case META -> e.meta();
            };
            e.steps++;
            return v;
        }
    }

    /** {@code operand.field} or {@code has(operand.field)} on a map value. */
    static final class Select extends Node {
        private final Node operand;
        private final String field;
        private final boolean testOnly;

        Select(Node operand, String field, boolean testOnly) {
            this.operand = operand;
            this.field = field;
            this.testOnly = testOnly;
        }

        @Override
        Object eval(Eval e) {
            Object o = operand.eval(e);
            if (abort(o)) {
                return o;
            }
            if (!(o instanceof Map<?, ?> map)) {
                return UNSUPPORTED;
            }
            if (testOnly) {
                e.steps++;
                return map.containsKey(field);
            }
            Object v = map.get(field);
            if (v == null) {
                // Absent key: CEL's "key is not present in map" error (JsonToCel never stores Java nulls).
                return map.containsKey(field) ? UNSUPPORTED : ERROR;
            }
            e.steps++;
            return v;
        }
    }

    /** The strict binary functions covered, by their name in the checked AST. */
    enum Op {
        EQ("_==_"), NE("_!=_"), LT("_<_"), LE("_<=_"), GT("_>_"), GE("_>=_"),
        STARTS_WITH("startsWith"), ENDS_WITH("endsWith"), CONTAINS("contains");

        private final String function;

        Op(String function) {
            this.function = function;
        }

        /** The string methods are receiver calls ({@code a.startsWith(b)}); the operators are global. */
        boolean member() {
            return this == STARTS_WITH || this == ENDS_WITH || this == CONTAINS;
        }

        /** The operator a call of {@code function} stands for, or null (compile time only). */
        static Op of(String function) {
            for (Op op : values()) {
                if (op.function.equals(function)) {
                    return op;
                }
            }
            return null;
        }
    }

    /** A strict binary call: both operands evaluated in order, the first error stops it. */
    static final class Binary extends Node {
        private final Op op;
        private final Node left;
        private final Node right;

        Binary(Op op, Node left, Node right) {
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Eval e) {
            Object a = left.eval(e);
            if (abort(a)) {
                return a;
            }
            Object b = right.eval(e);
            if (abort(b)) {
                return b;
            }
            Object r = apply(a, b);
            if (r != UNSUPPORTED) {
                e.steps++;
            }
            return r;
        }

        private Object apply(Object a, Object b) {
            switch (op) {
                case EQ, NE -> {
                    // Same-type strings, ints and bools: CEL equality is Java equality. Other pairs (int vs
                    // double, null, lists, maps, mixed types) are left to the interpreter.
                    if (a.getClass() != b.getClass()
                            || !(a instanceof String || a instanceof Long || a instanceof Boolean)) {
                        return UNSUPPORTED;
                    }
                    return a.equals(b) == (op == Op.EQ);
                }
                case LT, LE, GT, GE -> {
                    if (!(a instanceof Long x) || !(b instanceof Long y)) {
                        return UNSUPPORTED;
                    }
                    long l = x;
                    long r = y;
                    return switch (op) {
                        case LT -> l < r;
                        case LE -> l <= r;
                        case GT -> l > r;
                        default -> l >= r;
                    };
                }
                default -> {
                    if (!(a instanceof String x) || !(b instanceof String y)) {
                        return UNSUPPORTED;
                    }
                    return switch (op) {
                        case STARTS_WITH -> x.startsWith(y);
                        case ENDS_WITH -> x.endsWith(y);
                        default -> x.contains(y);
                    };
                }
            }
        }
    }

    /** {@code x in channels}: the session's subscription keys, without copying them into a list. */
    static final class InChannels extends Node {
        private final Node element;

        InChannels(Node element) {
            this.element = element;
        }

        @Override
        Object eval(Eval e) {
            Object x = element.eval(e);
            if (abort(x)) {
                return x;
            }
            e.steps++; // the channels identifier
            if (!(x instanceof String channel)) {
                return UNSUPPORTED;
            }
            e.steps++;
            return e.session.subscriptions().containsKey(channel);
        }
    }

    /** {@code x in ["a", "b", ...]}: a list literal of string constants. */
    static final class InStrings extends Node {
        private final Node element;
        private final List<String> values;

        InStrings(Node element, List<String> values) {
            this.element = element;
            this.values = values;
        }

        @Override
        Object eval(Eval e) {
            Object x = element.eval(e);
            if (abort(x)) {
                return x;
            }
            e.steps += values.size() + 1; // each constant, then the list
            if (!(x instanceof String s)) {
                return UNSUPPORTED;
            }
            e.steps++;
            return values.contains(s);
        }
    }

    static final class Not extends Node {
        private final Node operand;

        Not(Node operand) {
            this.operand = operand;
        }

        @Override
        Object eval(Eval e) {
            Object v = operand.eval(e);
            if (abort(v)) {
                return v;
            }
            if (!(v instanceof Boolean b)) {
                return UNSUPPORTED;
            }
            e.steps++;
            return !b;
        }
    }

    /** {@code &&} ({@code and}) or {@code ||}: short-circuits, and absorbs an error the other side decides. */
    static final class Logical extends Node {
        private final boolean and;
        private final Node left;
        private final Node right;

        Logical(boolean and, Node left, Node right) {
            this.and = and;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Eval e) {
            // The deciding value: false for &&, true for ||.
            Boolean decisive = !and;
            Object a = left.eval(e);
            if (!boolOrError(a)) {
                return UNSUPPORTED;
            }
            if (decisive.equals(a)) {
                e.steps++;
                return a;
            }
            Object b = right.eval(e);
            if (!boolOrError(b)) {
                return UNSUPPORTED;
            }
            if (decisive.equals(b)) {
                e.steps++;
                return b;
            }
            if (a == ERROR || b == ERROR) {
                return ERROR;
            }
            e.steps++;
            return !decisive;
        }

        /** What a logical operand may be for the fast path: a bool or an error (which the other side may absorb). */
        private static boolean boolOrError(Object v) {
            return v == ERROR || v instanceof Boolean;
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
