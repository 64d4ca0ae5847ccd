package io.phasegate.events.task;

import java.util.List;
import java.util.Map;

/**
 * A tool of the current phase's policy.
 *
 * @param name             the tool name
 * @param approvalRequired {@code true} for a tool of {@code approval_required}: each call needs a human approval
 * @param constraints      per argument name, the globs the argument must match (empty when unconstrained)
 */
public record AllowedToolView(String name, boolean approvalRequired, Map<String, List<String>> constraints) {
    public AllowedToolView {
        constraints = constraints == null ? Map.of() : Map.copyOf(constraints);
    }
}
