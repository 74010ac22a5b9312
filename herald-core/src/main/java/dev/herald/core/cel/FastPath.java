package dev.herald.core.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.herald.core.client.ClientSession;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A native evaluator for the common shapes of connection expressions, with cel-java's semantics for them, so a
 * scan over every connection does not pay the interpreter's per-evaluation frames, boxing and exceptions.
 *
 * <p>Covered (after type checking, over the checked AST): string, int and bool constants; the scalar variables,
 * {@code meta} and {@code channels}; {@code meta.k} and {@code has(meta.k)} (also nested, on map values);
 * {@code ==} and {@code !=}; {@code <}, {@code <=}, {@code >}, {@code >=} on ints; {@code x in channels} and
 * {@code x in [string constants]}; {@code startsWith}, {@code endsWith} and {@code contains} on strings;
 * {@code &&}, {@code ||} and {@code !}. Anything else (comprehensions, other functions, doubles, lists, ...) makes
 * {@link #compile} return null and the interpreter runs alone.
 *
 * <p>It mirrors {@code DefaultInterpreter} of cel-java 0.11.0 node by node: children in the same order, strict
 * calls stop at the first error, {@code &&}/{@code ||} short-circuit and absorb errors the same way, and every
 * node that completes counts one step, as the evaluation listener does, so budgets and {@code stepsUsed} stay
 * identical. Where a runtime value is outside what it models exactly (a {@code dyn} meta value of another type
 * than the constant, a double, a list, ...) it returns {@link #BAIL} and the caller evaluates that connection with
 * the interpreter instead; equivalence is tested against the interpreter in {@code FastPathTest}.
 *
 * <p>Immutable and thread-safe; the per-evaluation state is an {@link Eval}.
 */
final class FastPath {
    /** Result: the expression is true. */
    static final int TRUE = 1;
    /** Result: false, or a CEL error (no match either way). */
    static final int FALSE = 0;
    /** Result: not modelled for this connection's values; evaluate with the interpreter. */
    static final int BAIL = -1;

    /** A CEL error value (a missing key, ...): propagates through strict calls, absorbed by && and ||. */
    private static final Object ERROR = new Object() {
        @Override
        public String toString() {
            return "<error>";
        }
    };
    /** Not modelled: abandon the fast evaluation. */
    private static final Object UNSUPPORTED = new Object() {
        @Override
        public String toString() {
            return "<unsupported>";
        }
    };

    private final Node root;
    private final int nodes;

    private FastPath(Node root, int nodes) {
        this.root = root;
        this.nodes = nodes;
    }

    /** The fast evaluator for a checked expression, or null when its shape is not covered. */
    static FastPath compile(CelAbstractSyntaxTree ast) {
        Compiler compiler = new Compiler(ast);
        Node root = compiler.node(ast.getExpr());
        return root == null ? null : new FastPath(root, compiler.count);
    }

    /** Most steps one evaluation can take: every node completing once (no comprehensions here). */
    int maxSteps() {
        return nodes;
    }

    /**
     * Evaluates for one session: {@link #TRUE}, {@link #FALSE} or {@link #BAIL}; {@link Eval#steps} holds the
     * steps the interpreter would have counted (meaningless after BAIL).
     */
    int evaluate(Eval eval) {
        Object v = root.eval(eval);
        if (v == UNSUPPORTED) {
            return BAIL;
        }
        if (v == ERROR) {
            return FALSE;
        }
        if (v instanceof Boolean b) {
            return b ? TRUE : FALSE;
        }
        return BAIL;
    }

    /** One evaluation's state. Not thread-safe. */
    static final class Eval {
        final ClientSession session;
        long steps;
        private Map<String, Object> meta;

        Eval(ClientSession session) {
            this.session = session;
        }

        Map<String, Object> meta() {
            if (meta == null) {
                meta = SessionMeta.of(session);
            }
            return meta;
        }
    }

    // ---- nodes ----------------------------------------------------------------------------------------------------

    private abstract static class Node {
        /** The value, {@link #ERROR} or {@link #UNSUPPORTED}; counts a step when it completes with a value. */
        abstract Object eval(Eval e);
    }

    private static boolean abort(Object v) {
        return v == ERROR || v == UNSUPPORTED;
    }

    private static final class Const extends Node {
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

    private enum Var { CLIENT, USER, TRANSPORT, PROTOCOL, APP_NAME, APP_VERSION, TOKEN_UID, TOKEN_ISSUED_AT,
        CONNECTED_AT, META }

    private static final class Ident extends Node {
        private final Var var;

        Ident(Var var) {
            this.var = var;
        }

        @Override
        Object eval(Eval e) {
            ClientSession s = e.session;
            Object v = switch (var) {
                case CLIENT -> s.id();
                case USER -> nonNull(s.user());
                case TRANSPORT -> s.transport().name();
                case PROTOCOL -> s.protocol().wireName();
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
    private static final class Select extends Node {
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
    private enum Op {
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
    private static final class Binary extends Node {
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
    private static final class InChannels extends Node {
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
    private static final class InStrings extends Node {
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

    private static final class Not extends Node {
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
    private static final class Logical extends Node {
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

    // ---- compiling the checked AST --------------------------------------------------------------------------------

    private static final class Compiler {
        private final CelAbstractSyntaxTree ast;
        int count;

        Compiler(CelAbstractSyntaxTree ast) {
            this.ast = ast;
        }

        /** The node for {@code expr}, or null when it (or anything under it) is not covered. */
        Node node(CelExpr expr) {
            count++;
            return switch (expr.exprKind().getKind()) {
                case CONSTANT -> constant(expr.constant());
                case IDENT -> ident(expr);
                case SELECT -> select(expr);
                case CALL -> call(expr);
                default -> null;
            };
        }

        private static Node constant(CelConstant c) {
            return switch (c.getKind()) {
                case STRING_VALUE -> new Const(c.stringValue());
                case INT64_VALUE -> new Const(c.int64Value());
                case BOOLEAN_VALUE -> new Const(c.booleanValue());
                default -> null;
            };
        }

        /** A declared variable's name when {@code expr} is a plain reference to it (not a constant), else null. */
        private String variable(CelExpr expr) {
            if (expr.exprKind().getKind() != CelExpr.ExprKind.Kind.IDENT) {
                return null;
            }
            Optional<CelReference> ref = ast.getReference(expr.id());
            if (ref.isEmpty() || ref.get().value().isPresent()) {
                return null;
            }
            String name = ref.get().name();
            return name.equals(expr.ident().name()) ? name : null;
        }

        private Node ident(CelExpr expr) {
            String name = variable(expr);
            if (name == null) {
                return null;
            }
            Var var = switch (name) {
                case "client" -> Var.CLIENT;
                case "user" -> Var.USER;
                case "transport" -> Var.TRANSPORT;
                case "protocol" -> Var.PROTOCOL;
                case "app_name" -> Var.APP_NAME;
                case "app_version" -> Var.APP_VERSION;
                case "token_uid" -> Var.TOKEN_UID;
                case "token_issued_at" -> Var.TOKEN_ISSUED_AT;
                case "connected_at" -> Var.CONNECTED_AT;
                case "meta" -> Var.META;
                default -> null; // channels and subscription_tokens only in the shapes handled below
            };
            return var == null ? null : new Ident(var);
        }

        private Node select(CelExpr expr) {
            if (ast.getReference(expr.id()).isPresent()) {
                return null; // a qualified name, not a field selection
            }
            Node operand = node(expr.select().operand());
            return operand == null ? null
                    : new Select(operand, expr.select().field(), expr.select().testOnly());
        }

        private Node call(CelExpr expr) {
            var call = expr.call();
            List<CelExpr> args = call.args();
            Op op = Op.of(call.function());
            if (call.target().isPresent()) {
                return op == null || !op.member() || args.size() != 1 ? null
                        : binary(op, call.target().get(), args.getFirst());
            }
            switch (call.function()) {
                case "_&&_", "_||_" -> {
                    if (args.size() != 2) {
                        return null;
                    }
                    Node left = node(args.get(0));
                    Node right = left == null ? null : node(args.get(1));
                    return right == null ? null : new Logical(call.function().equals("_&&_"), left, right);
                }
                case "!_" -> {
                    Node operand = args.size() == 1 ? node(args.getFirst()) : null;
                    return operand == null ? null : new Not(operand);
                }
                case "@in" -> {
                    return args.size() == 2 ? in(args.get(0), args.get(1)) : null;
                }
                default -> {
                    return op == null || op.member() || args.size() != 2 ? null
                            : binary(op, args.get(0), args.get(1));
                }
            }
        }

        private Node binary(Op op, CelExpr left, CelExpr right) {
            Node l = node(left);
            Node r = l == null ? null : node(right);
            return r == null ? null : new Binary(op, l, r);
        }

        private Node in(CelExpr element, CelExpr container) {
            Node x = node(element);
            if (x == null) {
                return null;
            }
            if ("channels".equals(variable(container))) {
                count++;
                return new InChannels(x);
            }
            if (container.exprKind().getKind() != CelExpr.ExprKind.Kind.LIST
                    || !container.list().optionalIndices().isEmpty()) {
                return null;
            }
            List<CelExpr> elements = container.list().elements();
            String[] values = new String[elements.size()];
            for (int i = 0; i < values.length; i++) {
                CelExpr c = elements.get(i);
                if (c.exprKind().getKind() != CelExpr.ExprKind.Kind.CONSTANT
                        || c.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
                    return null;
                }
                values[i] = c.constant().stringValue();
            }
            count += values.length + 1;
            return new InStrings(x, List.of(values));
        }
    }
}
