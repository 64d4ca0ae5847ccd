package io.phasegate.events.task;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The claiming agent, holding a verified phase token of generation {@code generation} for phase {@code tokenPhase},
 * asks to move the task from {@code currentPhase} to {@code targetPhase} with the submitted artifacts (JSON data:
 * maps, lists, strings, numbers, booleans). Answers a {@link TransitionOutcome}; a refusal is recorded as
 * {@link TaskTransitionRejectedEvent}, never thrown away.
 */
public record TransitionTaskCommand(@TargetAggregateIdentifier String taskId, String agentId, long generation,
                                    String tokenPhase, String currentPhase, String targetPhase,
                                    Map<String, Object> artifacts) {
    public TransitionTaskCommand {
        artifacts = artifacts == null ? Map.of() : artifacts;
    }
}
