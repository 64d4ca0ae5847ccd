package io.phasegate.events.workflow;

import java.util.List;

/**
 * An allowed phase change.
 *
 * @param from      source phase id
 * @param to        target phase id
 * @param artifacts artifact names that must be submitted with the transition
 * @param gates     gate ids (built-in or custom) that must pass
 */
public record TransitionDefinition(String from, String to, List<String> artifacts, List<String> gates) {
    public TransitionDefinition {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        gates = gates == null ? List.of() : List.copyOf(gates);
    }
}
