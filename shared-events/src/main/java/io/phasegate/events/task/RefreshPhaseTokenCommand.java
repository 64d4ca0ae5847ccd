package io.phasegate.events.task;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The claiming agent, holding the current token (generation {@code generation}), gets a fresh one for the same
 * phase; the generation is bumped, so the presented token stops working at once. Answers a {@link PhaseTokenGrant}.
 */
public record RefreshPhaseTokenCommand(@TargetAggregateIdentifier String taskId, String agentId, long generation) {
}
