package dev.herald.core.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.herald.core.cel.FastNodes.Binary;
import dev.herald.core.cel.FastNodes.Const;
import dev.herald.core.cel.FastNodes.Ident;
import dev.herald.core.cel.FastNodes.InChannels;
import dev.herald.core.cel.FastNodes.InStrings;
import dev.herald.core.cel.FastNodes.Logical;
import dev.herald.core.cel.FastNodes.Node;
import dev.herald.core.cel.FastNodes.Not;
import dev.herald.core.cel.FastNodes.Op;
import dev.herald.core.cel.FastNodes.Select;
import dev.herald.core.cel.FastNodes.Var;

import java.util.List;
import java.util.Optional;

/** Turns a checked AST into {@link FastNodes}, or answers null where a shape is not covered. */
final class FastPathCompiler {
    private final CelAbstractSyntaxTree ast;
    int count;

    FastPathCompiler(CelAbstractSyntaxTree ast) {
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
