package io.phasegate.events.workflow;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed and validated workflow definition (the YAML format of SPEC §2.1).
 * Carried whole by {@link WorkflowPublishedEvent}, so history shows which version governed a task.
 *
 * @param id                 workflow id, e.g. {@code tdd-default}
 * @param version            positive version; a new publication of the same id needs a higher one
 * @param enforcement        {@code strict} blocks violations, {@code permissive} records them as warnings
 * @param tokenTtlSeconds    lifetime of a phase token
 * @param claimLeaseSeconds  lifetime of a claim unless renewed
 * @param phases             phases in declaration order; the first one is the initial phase
 * @param transitions        allowed phase changes with their required artifacts and gates
 * @param artifacts          artifact schemas declared by the workflow (JSON Schema documents), by name
 * @param gates              custom gates: gate id to expression over the artifacts
 */
public record WorkflowDefinition(
        String id,
        int version,
        Enforcement enforcement,
        long tokenTtlSeconds,
        long claimLeaseSeconds,
        List<PhaseDefinition> phases,
        List<TransitionDefinition> transitions,
        Map<String, Map<String, Object>> artifacts,
        Map<String, String> gates) {

    public WorkflowDefinition {
        phases = List.copyOf(phases);
        transitions = List.copyOf(transitions);
        artifacts = artifacts == null ? Map.of() : Map.copyOf(artifacts);
        gates = gates == null ? Map.of() : Map.copyOf(gates);
    }

    /** The phase a new task starts in. */
    public String initialPhase() {
        return phases.get(0).id();
    }

    public Optional<PhaseDefinition> phase(String phaseId) {
        return phases.stream().filter(p -> p.id().equals(phaseId)).findFirst();
    }

    public enum Enforcement { STRICT, PERMISSIVE }
}
