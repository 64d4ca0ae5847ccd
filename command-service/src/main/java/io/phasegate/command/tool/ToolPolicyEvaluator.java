package io.phasegate.command.tool;

import io.phasegate.events.workflow.PhaseDefinition.ToolPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a tool call against the tool policy of a phase (SPEC §2.1, §2.4): the tool must be {@code allowed} or
 * {@code approval_required} ({@value #TOOL_NOT_ALLOWED} otherwise), and every argument named in the tool's
 * {@code constraints} must be present and be a string, or a non-empty list of strings, each of which matches at least
 * one of the argument's globs ({@value #CONSTRAINT_VIOLATED} otherwise). Constrained values are relative paths; see
 * {@link PathGlobs} for the glob syntax and the normalisation.
 *
 * <p>Reasons name the argument, never its value. Approvals are not decided here: the task knows them.
 *
 * <p>Thread-safe; compiled globs are cached.
 */
public final class ToolPolicyEvaluator {

    public static final String TOOL_NOT_ALLOWED = "tool_not_allowed";
    public static final String CONSTRAINT_VIOLATED = "constraint_violated";

    private final PathGlobs globs = new PathGlobs();

    /** A reason why the call breaks the policy. */
    public record Violation(String code, String reason) {
        public Violation {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }

        /** {@code code: reason}, as recorded among permissive warnings. */
        public String describe() {
            return code + ": " + reason;
        }
    }

    /** Whether the policy lists the tool as callable, directly or after an approval. */
    public static boolean callable(ToolPolicy policy, String toolName) {
        return policy.allowed().contains(toolName) || policy.approvalRequired().contains(toolName);
    }

    /** Whether calls of the tool need a human approval. */
    public static boolean approvalRequired(ToolPolicy policy, String toolName) {
        return policy.approvalRequired().contains(toolName);
    }

    /**
     * @param phase the phase whose policy this is (for the reasons)
     * @param args  the call's arguments (JSON data)
     * @return the violations, in the constraints' order; empty when the call complies
     */
    public List<Violation> evaluate(String phase, ToolPolicy policy, String toolName, Map<String, ?> args) {
        Objects.requireNonNull(policy, "policy");
        if (toolName == null || !callable(policy, toolName)) {
            return List.of(new Violation(TOOL_NOT_ALLOWED,
                    "tool '" + toolName + "' is not allowed in phase " + phase));
        }
        Map<String, List<String>> constraints = policy.constraints().get(toolName);
        if (constraints == null || constraints.isEmpty()) {
            return List.of();
        }
        Map<String, ?> present = args == null ? Map.of() : args;
        List<Violation> violations = new ArrayList<>();
        constraints.forEach((argument, patterns) -> {
            String problem = check(present.get(argument), patterns == null ? List.of() : patterns, argument);
            if (problem != null) {
                violations.add(new Violation(CONSTRAINT_VIOLATED, problem));
            }
        });
        return violations;
    }

    /** Why the value breaks the argument's constraint, or {@code null} when it complies. */
    private String check(Object value, List<String> patterns, String argument) {
        if (value == null) {
            return "argument '" + argument + "' is required: its values are restricted to " + patterns;
        }
        if (value instanceof String text) {
            return checkOne(text, patterns, "argument '" + argument + "'");
        }
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                return "argument '" + argument + "' must not be an empty list: its values are restricted to " + patterns;
            }
            for (int i = 0; i < list.size(); i++) {
                String label = "argument '" + argument + "[" + i + "]'";
                if (!(list.get(i) instanceof String text)) {
                    return label + " must be a string";
                }
                String problem = checkOne(text, patterns, label);
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        }
        return "argument '" + argument + "' must be a string or a list of strings";
    }

    private String checkOne(String value, List<String> patterns, String label) {
        PathGlobs.Normalised path = PathGlobs.normalise(value);
        if (!path.ok()) {
            return label + " " + path.problem();
        }
        for (String pattern : patterns) {
            if (globs.matches(pattern, path.path())) {
                return null;
            }
        }
        return label + " must match one of " + patterns;
    }
}
