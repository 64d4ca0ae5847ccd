package io.phasegate.events.task;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The claiming agent gives the task back; it becomes claimable again. */
public record ReleaseTaskCommand(@TargetAggregateIdentifier String taskId, String agentId, long generation) {
}
