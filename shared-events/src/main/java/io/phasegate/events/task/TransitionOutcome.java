package io.phasegate.events.task;

import java.util.List;

/**
 * Result of {@link TransitionTaskCommand}. When {@code allowed}, {@code token} is the new phase token (for the new
 * phase, next generation) and {@code warnings} lists what permissive enforcement let pass; otherwise
 * {@code blockers} says why and {@code token} is null (the agent's current token stays valid).
 */
public record TransitionOutcome(boolean allowed, String phase, List<TransitionBlocker> blockers,
                                List<TransitionBlocker> warnings, PhaseTokenGrant token) {
    public TransitionOutcome {
        blockers = blockers == null ? List.of() : List.copyOf(blockers);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
