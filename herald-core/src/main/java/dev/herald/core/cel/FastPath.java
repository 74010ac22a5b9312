package dev.herald.core.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.herald.core.cel.FastNodes.Node;
import dev.herald.core.session.SessionView;

import java.util.Map;

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

    private final Node root;
    private final int nodes;

    private FastPath(Node root, int nodes) {
        this.root = root;
        this.nodes = nodes;
    }

    /** The fast evaluator for a checked expression, or null when its shape is not covered. */
    static FastPath compile(CelAbstractSyntaxTree ast) {
        FastPathCompiler compiler = new FastPathCompiler(ast);
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
        if (v == FastNodes.UNSUPPORTED) {
            return BAIL;
        }
        if (v == FastNodes.ERROR) {
            return FALSE;
        }
        if (v instanceof Boolean b) {
            return b ? TRUE : FALSE;
        }
        return BAIL;
    }

    /** One evaluation's state. Not thread-safe. */
    static final class Eval {
        final SessionView session;
        long steps;
        private Map<String, Object> meta;

        Eval(SessionView session) {
            this.session = session;
        }

        Map<String, Object> meta() {
            if (meta == null) {
                meta = SessionMeta.of(session);
            }
            return meta;
        }
    }
}
