package io.phasegate.events.task;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A human or service cancels a task that is not completed; a claim ends and the agent's tokens are void. */
public record CancelTaskCommand(@TargetAggregateIdentifier String taskId, String orgId, String reason,
                                String cancelledBy) {
}
