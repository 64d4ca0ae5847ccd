package io.phasegate.command.gate;

import static io.phasegate.command.gate.ArtifactDocuments.quote;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.Program;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Evaluates the gates of a transition (SPEC §2.1): the built-in gates, and custom gates that a workflow writes in
 * <a href="https://cel.dev">CEL</a> over one variable, {@code artifacts}, a map of artifact name to the submitted
 * document (JSON objects are CEL maps, arrays lists, integers {@code int}, other numbers {@code double}), for example
 * {@code artifacts.test_result.passed >= 10 && size(artifacts.plan.acceptance_criteria) > 1}. The standard macros
 * ({@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code map}, {@code filter}) and the string extension
 * functions are available; ints and doubles compare with each other.
 *
 * <p>Each expression is parsed and type-checked once and cached by its text; {@link #checkExpression(String)} reports
 * a bad expression when a workflow is published. Evaluation never throws: an expression that cannot be evaluated
 * (missing field, wrong type, overflow) fails its gate with a message saying why.
 *
 * <p>Thread-safe.
 */
public final class GateEvaluator {

    public static final String PLAN_HAS_ACCEPTANCE_CRITERIA = "plan_has_acceptance_criteria";
    public static final String TESTS_ARE_FAILING = "tests_are_failing";
    public static final String ALL_TESTS_PASS = "all_tests_pass";
    public static final String NO_BLOCKING_ISSUES = "no_blocking_issues";
    public static final String REVIEWS_APPROVED = "reviews_approved";

    /** Name of the CEL variable that holds the artifacts. */
    public static final String ARTIFACTS_VARIABLE = "artifacts";
    /** Longest expression accepted, in code points. */
    public static final int MAX_EXPRESSION_LENGTH = 4_096;
    /** Most iterations of one comprehension ({@code all}, {@code exists}, {@code map}...). */
    public static final int MAX_COMPREHENSION_ITERATIONS = 100_000;
    /** Compiled expressions kept; past this, new expressions are compiled for each use instead of cached. */
    static final int MAX_CACHED_EXPRESSIONS = 10_000;

    private static final int MAX_LISTED_ISSUES = 5;
    private static final Pattern EVALUATION_PREFIX = Pattern.compile("^evaluation error(?: at [^:]*:(\\d+))?:\\s*");
    private static final Pattern NO_OVERLOAD =
            Pattern.compile("No matching overload for function '([^']*)'\\.?(?:\\s*Overload candidates:.*)?", Pattern.DOTALL);
    private static final Pattern OPERATOR_FUNCTION = Pattern.compile("_?([^\\w\\s]+)_?");
    private static final String EMPTY_CONTAINER = " (in container '')";

    private final ArtifactDocuments documents;
    private final Cel cel;
    private final ConcurrentMap<String, CompiledGate> compiled = new ConcurrentHashMap<>();

    public GateEvaluator() {
        this(null);
    }

    /** @param jsonMapper turns submitted documents (maps, lists, scalars) into JSON trees; {@code null} for a plain one */
    public GateEvaluator(JsonMapper jsonMapper) {
        this.documents = new ArtifactDocuments(jsonMapper);
        this.cel = CelFactory.plannerCelBuilder()
                .setOptions(CelOptions.current()
                        .enableHeterogeneousNumericComparisons(true)
                        .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
                        .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
                        .build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings())
                .addRuntimeLibraries(CelExtensions.strings())
                .addVar(ARTIFACTS_VARIABLE, MapType.create(SimpleType.STRING, SimpleType.DYN))
                .setResultType(SimpleType.BOOL)
                .build();
    }

    /** Whether {@code gateId} is one of the built-in gates. */
    public static boolean isBuiltIn(String gateId) {
        return switch (gateId) {
            case PLAN_HAS_ACCEPTANCE_CRITERIA, TESTS_ARE_FAILING, ALL_TESTS_PASS, NO_BLOCKING_ISSUES, REVIEWS_APPROVED -> true;
            default -> false;
        };
    }

    /**
     * Parses and type-checks a custom gate expression (for publish-time validation). The result is cached, so the
     * gate's later evaluations reuse it.
     *
     * @return empty when the expression can be used; otherwise a human-readable error with line and column
     */
    public Optional<String> checkExpression(String expression) {
        return Optional.ofNullable(compile(expression).error());
    }

    /**
     * Evaluates the gates of a transition.
     *
     * @param artifacts the submitted artifacts, name to document (a {@link JsonNode}, or maps, lists and scalars)
     * @param reviews   the task's reviews in the current phase, for {@code reviews_approved}; {@code null} for none
     * @return one blocker per failing gate, in the transition's order; empty when every gate passes
     */
    public List<GateBlocker> evaluate(WorkflowDefinition workflow, TransitionDefinition transition,
                                      Map<String, ?> artifacts, ReviewState reviews) {
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(transition, "transition");
        return evaluate(transition.gates(), workflow.gates(), artifacts, reviews);
    }

    /**
     * Evaluates gates by id.
     *
     * @param gateIds     the gates to evaluate, built in or custom
     * @param customGates custom gate id to CEL expression (a workflow's {@code gates})
     */
    public List<GateBlocker> evaluate(List<String> gateIds, Map<String, String> customGates,
                                      Map<String, ?> artifacts, ReviewState reviews) {
        Map<String, JsonNode> trees = documents.toTrees(artifacts);
        Map<String, String> custom = customGates == null ? Map.of() : customGates;
        ReviewState reviewState = reviews == null ? ReviewState.none() : reviews;
        Map<String, Object> celArtifacts = null;
        List<GateBlocker> blockers = new ArrayList<>();
        for (String gateId : gateIds == null ? List.<String>of() : gateIds) {
            Optional<String> failure;
            if (gateId == null) {
                continue;
            } else if (isBuiltIn(gateId)) {
                failure = builtIn(gateId, trees, reviewState);
            } else if (custom.containsKey(gateId)) {
                if (celArtifacts == null) {
                    celArtifacts = celArtifacts(trees);
                }
                failure = custom(gateId, custom.get(gateId), celArtifacts);
            } else {
                failure = Optional.of("gate " + quote(gateId) + " is neither built in nor declared by the workflow");
            }
            failure.ifPresent(message -> blockers.add(new GateBlocker(gateId, message)));
        }
        return blockers;
    }

    /** The compiled program of an expression, or {@code null} if it does not compile (for tests: shows caching). */
    Program compiledProgram(String expression) {
        return compile(expression).program();
    }

    // ------------------------------------------------------------------------------------------- built-in gates

    private Optional<String> builtIn(String gateId, Map<String, JsonNode> artifacts, ReviewState reviews) {
        return switch (gateId) {
            case PLAN_HAS_ACCEPTANCE_CRITERIA -> planHasAcceptanceCriteria(artifacts);
            case TESTS_ARE_FAILING -> testsAreFailing(artifacts);
            case ALL_TESTS_PASS -> allTestsPass(artifacts);
            case NO_BLOCKING_ISSUES -> noBlockingIssues(artifacts);
            case REVIEWS_APPROVED -> reviewsApproved(reviews);
            default -> throw new IllegalArgumentException(gateId);
        };
    }

    private static Optional<String> planHasAcceptanceCriteria(Map<String, JsonNode> artifacts) {
        JsonNode plan = artifacts.get("plan");
        if (plan == null) {
            return missing("plan");
        }
        JsonNode criteria = plan.path("acceptance_criteria");
        if (!criteria.isArray()) {
            return Optional.of("plan.acceptance_criteria must be a list of strings");
        }
        long stated = criteria.valueStream().filter(c -> c.isString() && !c.stringValue().isBlank()).count();
        if (stated == 0) {
            return Optional.of("the plan has no acceptance criteria: at least one (non-blank) criterion is required");
        }
        return Optional.empty();
    }

    private static Optional<String> testsAreFailing(Map<String, JsonNode> artifacts) {
        JsonNode result = artifacts.get("test_result");
        if (result == null) {
            return missing("test_result");
        }
        Optional<Long> failed = count(result, "failed");
        if (failed.isEmpty()) {
            return Optional.of(notACount("failed"));
        }
        if (failed.get() == 0) {
            return Optional.of("test_result reports no failing tests (failed = 0): the new tests must fail before "
                    + "they are implemented");
        }
        return Optional.empty();
    }

    private static Optional<String> allTestsPass(Map<String, JsonNode> artifacts) {
        JsonNode result = artifacts.get("test_result");
        if (result == null) {
            return missing("test_result");
        }
        Optional<Long> failed = count(result, "failed");
        Optional<Long> passed = count(result, "passed");
        if (failed.isEmpty()) {
            return Optional.of(notACount("failed"));
        }
        if (passed.isEmpty()) {
            return Optional.of(notACount("passed"));
        }
        if (failed.get() > 0) {
            return Optional.of("test_result reports " + failed.get() + " failing test" + (failed.get() == 1 ? "" : "s")
                    + " (failed must be 0)");
        }
        if (passed.get() == 0) {
            return Optional.of("test_result reports no passing tests (passed must be greater than 0)");
        }
        return Optional.empty();
    }

    private static Optional<String> noBlockingIssues(Map<String, JsonNode> artifacts) {
        JsonNode review = artifacts.get("review");
        if (review == null) {
            return missing("review");
        }
        JsonNode issues = review.path("blocking_issues");
        if (!issues.isArray()) {
            return Optional.of("review.blocking_issues must be a list");
        }
        if (issues.isEmpty()) {
            return Optional.empty();
        }
        List<String> messages = issues.valueStream().limit(MAX_LISTED_ISSUES)
                .map(issue -> issue.path("message"))
                .map(message -> message.isString() ? abbreviate(message.stringValue(), 200) : "(no message)")
                .toList();
        return Optional.of("the review has " + issues.size() + " blocking issue" + (issues.size() == 1 ? "" : "s")
                + ": " + String.join("; ", messages) + (issues.size() > MAX_LISTED_ISSUES ? "; ..." : ""));
    }

    private static Optional<String> reviewsApproved(ReviewState reviews) {
        int requested = reviews.requested();
        int submitted = reviews.submitted().size();
        if (requested == 0 && submitted == 0) {
            return Optional.of("no review was requested or submitted in this phase");
        }
        if (reviews.changeRequests() > 0) {
            return Optional.of(reviews.changeRequests() + " of " + submitted + " submitted review"
                    + (submitted == 1 ? "" : "s") + " requested changes");
        }
        if (submitted < requested) {
            return Optional.of((requested - submitted) + " of " + requested + " requested review"
                    + (requested == 1 ? " is" : "s are") + " still outstanding");
        }
        return Optional.empty();
    }

    private static Optional<String> missing(String artifact) {
        return Optional.of("requires the " + artifact + " artifact, which was not submitted");
    }

    private static String notACount(String field) {
        return "test_result." + field + " must be an integer greater than or equal to 0";
    }

    /** A non-negative integer field (an integral JSON number, 3 or 3.0), or empty. */
    private static Optional<Long> count(JsonNode object, String field) {
        JsonNode value = object.path(field);
        if (!value.isNumber()) {
            return Optional.empty();
        }
        long count;
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                return Optional.empty();
            }
            count = value.longValue();
        } else {
            double d = value.doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > Long.MAX_VALUE) {
                return Optional.empty();
            }
            count = (long) d;
        }
        return count < 0 ? Optional.empty() : Optional.of(count);
    }

    private static String abbreviate(String text, int max) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
    }

    // --------------------------------------------------------------------------------------------- custom gates

    private Optional<String> custom(String gateId, String expression, Map<String, Object> artifacts) {
        CompiledGate gate = compile(expression);
        if (gate.error() != null) {
            return Optional.of("gate " + quote(gateId) + " has an invalid expression: " + gate.error());
        }
        Object value;
        try {
            value = gate.program().eval(Map.of(ARTIFACTS_VARIABLE, artifacts));
        } catch (CelEvaluationException e) {
            return Optional.of("gate " + quote(gateId) + " could not be evaluated: " + evaluationMessage(e.getMessage()));
        } catch (RuntimeException | StackOverflowError e) {
            return Optional.of("gate " + quote(gateId) + " could not be evaluated: "
                    + (e.getMessage() == null ? "internal evaluation error" : evaluationMessage(e.getMessage())));
        }
        if (Boolean.TRUE.equals(value)) {
            return Optional.empty();
        }
        if (Boolean.FALSE.equals(value)) {
            return Optional.of("gate " + quote(gateId) + " is false: " + abbreviate(expression, 300));
        }
        return Optional.of("gate " + quote(gateId) + " must evaluate to true or false, but evaluated to "
                + describeValue(value));
    }

    private CompiledGate compile(String expression) {
        if (expression == null || expression.isBlank()) {
            return CompiledGate.failed("the expression is empty");
        }
        CompiledGate cached = compiled.get(expression);
        if (cached != null) {
            return cached;
        }
        if (compiled.size() >= MAX_CACHED_EXPRESSIONS) {
            return doCompile(expression);
        }
        return compiled.computeIfAbsent(expression, this::doCompile);
    }

    private CompiledGate doCompile(String expression) {
        try {
            CelValidationResult result = cel.compile(expression);
            if (result.hasError()) {
                return CompiledGate.failed(result.getErrors().stream()
                        .map(GateEvaluator::describeIssue)
                        .collect(Collectors.joining("; ")));
            }
            CelAbstractSyntaxTree ast = result.getAst();
            return new CompiledGate(cel.createProgram(ast), null);
        } catch (Exception | StackOverflowError e) {
            return CompiledGate.failed(e.getMessage() == null ? "the expression cannot be compiled"
                    : evaluationMessage(e.getMessage()));
        }
    }

    private static String describeIssue(CelIssue issue) {
        CelSourceLocation location = issue.getSourceLocation();
        String message = issue.getMessage().replace(EMPTY_CONTAINER, "");
        if (location == null || CelSourceLocation.NONE.equals(location) || location.getLine() <= 0) {
            return message;
        }
        return "line " + location.getLine() + ", column " + (location.getColumn() + 1) + ": " + message;
    }

    /** CEL's "evaluation error at <input>:14: key 'x' is not present in map." without the internal prefix. */
    private static String evaluationMessage(String message) {
        String text = message.strip();
        Matcher matcher = EVALUATION_PREFIX.matcher(text);
        String offset = null;
        if (matcher.find()) {
            offset = matcher.group(1);
            text = text.substring(matcher.end());
        }
        Matcher overload = NO_OVERLOAD.matcher(text);
        if (overload.matches()) {
            // "No matching overload for function '_>_'. Overload candidates: ..." names internal overloads
            Matcher operator = OPERATOR_FUNCTION.matcher(overload.group(1));
            text = "no matching overload: " + (operator.matches() ? "operator " + quote(operator.group(1))
                    : "function " + quote(overload.group(1))) + " cannot be applied to values of these types";
        }
        text = text.replace(EMPTY_CONTAINER, "");
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return offset == null ? text : text + " (at character " + (Integer.parseInt(offset) + 1) + " of the expression)";
    }

    private static String describeValue(Object value) {
        if (value == null || value instanceof NullValue) {
            return "null";
        }
        if (value instanceof String s) {
            return "the string " + quote(abbreviate(s, 60));
        }
        if (value instanceof Number n) {
            return "the number " + n;
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        return "a non-boolean value";
    }

    // ------------------------------------------------------------------------------------- JSON to CEL values

    private static Map<String, Object> celArtifacts(Map<String, JsonNode> trees) {
        Map<String, Object> values = new LinkedHashMap<>();
        trees.forEach((name, node) -> values.put(name, celValue(node)));
        return Collections.unmodifiableMap(values);
    }

    private static Object celValue(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                map.put(entry.getKey(), celValue(entry.getValue()));
            }
            return Collections.unmodifiableMap(map);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(celValue(element));
            }
            return Collections.unmodifiableList(list);
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToLong()) {
                return node.longValue();
            }
            BigInteger big = node.bigIntegerValue();
            return big.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asString();
    }

    private record CompiledGate(Program program, String error) {
        static CompiledGate failed(String error) {
            return new CompiledGate(null, error);
        }
    }
}
