package dev.herald.core.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.herald.core.session.SessionView;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.protocol.ReplyError;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A compiled CEL (Common Expression Language) filter over live connections, for the {@code connections} server
 * API's {@code expression} parameter. Compile once per API call with {@link #compile}, then call
 * {@link #matches} for each connection; the instance is immutable apart from its budget counter, and safe to share
 * between threads for the duration of one call. Common shapes ({@code user == "x"}, {@code meta.k == 7},
 * {@code "ch" in channels}, their {@code &&}/{@code ||}, ...) are evaluated natively by {@link FastPath} with the
 * interpreter's results and step counts; a connection's meta is parsed once and kept on it ({@link SessionMeta}).
 *
 * <p>Variables (all always present; strings are empty and numbers 0 when the connection has no value):
 * <ul>
 *   <li>{@code client} (string): the client id.</li>
 *   <li>{@code user} (string): the user id; empty for an anonymous connection.</li>
 *   <li>{@code transport} (string): {@code websocket}, {@code uni_http_stream}, {@code sse}, ...</li>
 *   <li>{@code protocol} (string): {@code json} or {@code protobuf}.</li>
 *   <li>{@code app_name}, {@code app_version} (string): the connect command's {@code name} and
 *       {@code version}.</li>
 *   <li>{@code channels} (list(string)): channels the connection is subscribed to.</li>
 *   <li>{@code meta} (map(string, dyn)): the connection's private meta JSON object; an empty map when there is
 *       none. JSON integers are {@code int}, other numbers {@code double}, {@code null} is {@code null}.</li>
 *   <li>{@code token_uid} (string): the connection token's {@code jti}.</li>
 *   <li>{@code token_issued_at} (int): the connection token's {@code iat}, Unix seconds.</li>
 *   <li>{@code connected_at} (int): when the connection was accepted, Unix milliseconds.</li>
 *   <li>{@code subscription_tokens} (map(string, map(string, dyn))): channel to {@code {"uid": string,
 *       "issued_at": int}} for each subscription made with a subscription token.</li>
 * </ul>
 *
 * <p>Compilation parses and type-checks against these declarations; a syntax error, a type error, a result type
 * other than {@code bool}, or an expression longer than {@link Limits#maxExpressionBytes} fails with
 * {@link ErrorException} carrying code 107 and CEL's own message.
 *
 * <p>Cost is bounded three ways, so no expression can stall the node: the parser refuses nesting deeper than
 * {@link Limits#maxParseDepth}; each evaluation may run at most {@link Limits#maxIterations} comprehension
 * iterations (all comprehensions together) and {@link Limits#maxStepsPerConnection} evaluated expression nodes,
 * past which that connection does not match; and the whole call may evaluate at most
 * {@link Limits#maxStepsPerCall} nodes, past which {@link #matches} throws {@link ErrorException} with code 106
 * (limit exceeded). Regular expressions run on RE2 (linear time) with a bounded program size.
 */
public final class ConnectionExpression {
    /** Compiled expressions kept for reuse; see {@link #COMPILED}. */
    private static final int CACHED_EXPRESSIONS = 64;
    private static final int CACHED_EXPRESSION_BYTES = 512;
    /** RE2 program size cap for {@code matches()}: generous for real patterns, small enough to compile fast. */
    private static final int REGEX_PROGRAM_SIZE = 1_000;

    private static final Engine DEFAULT_ENGINE = new Engine(Limits.DEFAULT);

    private final String source;
    private final CelRuntime.Program program;
    private final Limits limits;
    /** Native evaluation of the common shapes, or null: see {@link FastPath}. */
    private final FastPath fastPath;
    private final AtomicLong stepsUsed = new AtomicLong();

    /**
     * Bounds on one expression.
     *
     * @param maxExpressionBytes    longest accepted expression, in UTF-8 bytes
     * @param maxParseDepth         deepest accepted nesting of the parsed expression
     * @param maxIterations         comprehension iterations allowed in one connection's evaluation
     * @param maxStepsPerConnection evaluated expression nodes allowed in one connection's evaluation
     * @param maxStepsPerCall       evaluated expression nodes allowed over all connections of one call
     */
    public record Limits(int maxExpressionBytes, int maxParseDepth, int maxIterations, long maxStepsPerConnection,
                         long maxStepsPerCall) {
        public static final Limits DEFAULT = new Limits(4096, 64, 1_000, 10_000, 5_000_000);
    }

    private ConnectionExpression(String source, CelRuntime.Program program, FastPath fastPath, Limits limits) {
        this.source = source;
        this.program = program;
        this.fastPath = fastPath;
        this.limits = limits;
    }

    /** Compiles with {@link Limits#DEFAULT}. */
    public static ConnectionExpression compile(String expression) {
        return compile(expression, Limits.DEFAULT);
    }

    /**
     * Parses, type-checks and plans the expression once.
     *
     * @throws ErrorException with code 107 and CEL's message when the expression is missing, too long, invalid,
     *                        ill-typed or not boolean
     */
    public static ConnectionExpression compile(String expression, Limits limits) {
        if (expression == null) {
            throw badRequest("expression is required");
        }
        int bytes = expression.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxExpressionBytes()) {
            throw badRequest("expression is too long: " + bytes + " bytes, the limit is "
                    + limits.maxExpressionBytes());
        }
        boolean cacheable = limits.equals(DEFAULT_ENGINE.limits) && bytes <= CACHED_EXPRESSION_BYTES;
        if (cacheable) {
            Compiled hit = COMPILED.get(expression);
            if (hit != null) {
                return new ConnectionExpression(expression, hit.program, hit.fastPath, limits);
            }
        }
        Engine engine = limits.equals(DEFAULT_ENGINE.limits) ? DEFAULT_ENGINE : new Engine(limits);
        CelValidationResult result;
        try {
            result = engine.compiler.compile(expression);
        } catch (RuntimeException e) {
            // Not expected (CEL reports problems as issues); an odd expression must still be the caller's error.
            throw badRequest("invalid expression: " + e.getMessage());
        }
        if (result.hasError()) {
            throw badRequest(result.getErrorString());
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = result.getAst();
        } catch (CelValidationException e) {
            throw badRequest(e.getMessage());
        }
        Compiled compiled;
        try {
            compiled = new Compiled(engine.runtime.createProgram(ast), FastPath.compile(ast));
        } catch (CelEvaluationException e) {
            throw badRequest(e.getMessage());
        }
        if (cacheable) {
            COMPILED.put(expression, compiled);
        }
        return new ConnectionExpression(expression, compiled.program, compiled.fastPath, limits);
    }

    /** A checked, planned expression: immutable and thread-safe, shared by the calls that use the same source. */
    private record Compiled(CelRuntime.Program program, FastPath fastPath) {
    }

    /**
     * The last {@link #CACHED_EXPRESSIONS} valid expressions compiled with the default limits, by source: callers
     * repeat the same filters, and parsing plus type checking costs more than scanning thousands of connections
     * natively. Only short sources are kept (at most {@link #CACHED_EXPRESSION_BYTES} bytes each), so the cache
     * stays small whatever callers send; errors are not cached.
     */
    private static final Map<String, Compiled> COMPILED = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
                    return size() > CACHED_EXPRESSIONS;
                }
            });

    /** The expression as given. */
    public String source() {
        return source;
    }

    /** Expression nodes evaluated so far by this instance, over all connections (for benchmarks and logs). */
    public long stepsUsed() {
        return stepsUsed.get();
    }

    /**
     * Evaluates the expression for one connection. A runtime error (a missing meta key, a type mismatch inside
     * {@code dyn} values, a per-connection budget exhausted) means no match; it never throws for that.
     *
     * @throws ErrorException with code 106 once this call's total budget ({@link Limits#maxStepsPerCall}) is spent
     */
    public boolean matches(SessionView session) {
        long remaining = limits.maxStepsPerCall() - stepsUsed.get();
        if (remaining <= 0) {
            throw new ErrorException(Errors.LIMIT_EXCEEDED);
        }
        boolean callBound = remaining < limits.maxStepsPerConnection();
        long limit = callBound ? remaining : limits.maxStepsPerConnection();
        // The fast path runs only where no budget can run out (every node completing once fits), so the
        // interpreter would have taken the same steps to the same result.
        if (fastPath != null && fastPath.maxSteps() <= limit) {
            FastPath.Eval eval = new FastPath.Eval(session);
            int outcome = fastPath.evaluate(eval);
            if (outcome != FastPath.BAIL) {
                stepsUsed.addAndGet(eval.steps);
                return outcome == FastPath.TRUE;
            }
        }
        return interpret(session, limit, callBound);
    }

    /** Whether both run the same compiled program (a cache hit; for tests). */
    boolean sharesProgramWith(ConnectionExpression other) {
        return program == other.program;
    }

    /** Whether this expression has a native evaluator (for tests and benchmarks). */
    boolean hasFastPath() {
        return fastPath != null;
    }

    /** The fast path's outcome alone ({@link FastPath#TRUE}, FALSE or BAIL), without counting steps (tests). */
    int fastOutcome(SessionView session) {
        return fastPath == null ? FastPath.BAIL : fastPath.evaluate(new FastPath.Eval(session));
    }

    /** The interpreter alone, as {@link #matches} without the fast path (for tests comparing the two). */
    boolean matchesInterpreted(SessionView session) {
        long remaining = limits.maxStepsPerCall() - stepsUsed.get();
        if (remaining <= 0) {
            throw new ErrorException(Errors.LIMIT_EXCEEDED);
        }
        boolean callBound = remaining < limits.maxStepsPerConnection();
        return interpret(session, callBound ? remaining : limits.maxStepsPerConnection(), callBound);
    }

    private boolean interpret(SessionView session, long limit, boolean callBound) {
        Budget budget = new Budget(limit);
        Object result;
        try {
            result = program.trace(new SessionVariables(session), budget);
        } catch (CelEvaluationException | RuntimeException e) {
            result = null;
        } finally {
            // Nodes completed after exhaustion only threw; they are not counted against the call.
            stepsUsed.addAndGet(Math.min(budget.steps, budget.limit));
        }
        if (budget.exhausted) {
            if (callBound) {
                throw new ErrorException(Errors.LIMIT_EXCEEDED);
            }
            return false;
        }
        return Boolean.TRUE.equals(result);
    }

    private static ErrorException badRequest(String message) {
        return new ErrorException(new ReplyError(107, message, false));
    }

    /**
     * Counts evaluated nodes. Throwing from the callback aborts evaluation; CEL's error-absorbing {@code ||} and
     * {@code &&} may swallow one throw, but every later node throws too, so nothing evaluates successfully after
     * exhaustion and the flag, not the result, decides.
     */
    private static final class Budget implements CelEvaluationListener {
        private final long limit;
        long steps;
        boolean exhausted;

        Budget(long limit) {
            this.limit = limit;
        }

        @Override
        public void callback(CelExpr expr, Object evaluatedResult) {
            if (++steps > limit) {
                exhausted = true;
                throw BudgetExceeded.INSTANCE;
            }
        }
    }

    private static final class BudgetExceeded extends RuntimeException {
        static final BudgetExceeded INSTANCE = new BudgetExceeded();

        private BudgetExceeded() {
            super("evaluation budget exceeded", null, false, false);
        }
    }

    /** A compiler and a runtime configured for one set of limits; both are immutable and thread-safe. */
    private static final class Engine {
        final Limits limits;
        final CelCompiler compiler;
        final CelRuntime runtime;

        Engine(Limits limits) {
            this.limits = limits;
            CelOptions options = CelOptions.current()
                    .maxExpressionCodePointSize(limits.maxExpressionBytes())
                    .maxParseRecursionDepth(limits.maxParseDepth())
                    .comprehensionMaxIterations(limits.maxIterations())
                    .maxRegexProgramSize(REGEX_PROGRAM_SIZE)
                    .enableHeterogeneousNumericComparisons(true)
                    .build();
            CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(options)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .setResultType(SimpleType.BOOL);
            SessionVariables.DECLARATIONS.forEach(builder::addVar);
            this.compiler = builder.build();
            this.runtime = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(options).build();
        }
    }
}
