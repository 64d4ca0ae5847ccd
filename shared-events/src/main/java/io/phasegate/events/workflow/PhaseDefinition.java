package io.phasegate.events.workflow;

import java.util.List;
import java.util.Map;

/**
 * One phase of a workflow.
 *
 * @param id       phase id, e.g. {@code TDD}
 * @param terminal a terminal phase completes the task and has no outgoing transitions
 * @param tools    the tool policy while a task is in this phase
 * @param onEnter  actions taken when a task enters this phase (may be {@code null})
 */
public record PhaseDefinition(String id, boolean terminal, ToolPolicy tools, OnEnter onEnter) {

    public PhaseDefinition {
        tools = tools == null ? ToolPolicy.NONE : tools;
    }

    /**
     * @param allowed          tools that may be called; any other tool is forbidden
     * @param constraints      per tool, per argument name: globs the argument must match
     * @param approvalRequired tools that are allowed only after a human approved the specific call
     */
    public record ToolPolicy(List<String> allowed,
                             Map<String, Map<String, List<String>>> constraints,
                             List<String> approvalRequired) {
        public static final ToolPolicy NONE = new ToolPolicy(List.of(), Map.of(), List.of());

        public ToolPolicy {
            allowed = allowed == null ? List.of() : List.copyOf(allowed);
            constraints = constraints == null ? Map.of() : Map.copyOf(constraints);
            approvalRequired = approvalRequired == null ? List.of() : List.copyOf(approvalRequired);
        }
    }

    /** @param requestReviews reviews requested when a task enters the phase (may be {@code null}) */
    public record OnEnter(RequestReviews requestReviews) {
    }

    /** @param count how many reviews, @param role which role a reviewer must have */
    public record RequestReviews(int count, String role) {
    }
}
