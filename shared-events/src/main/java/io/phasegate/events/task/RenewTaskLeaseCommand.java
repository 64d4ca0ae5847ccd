package io.phasegate.events.task;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Heartbeat: the claiming agent, holding a token of generation {@code generation}, extends its lease. */
public record RenewTaskLeaseCommand(@TargetAggregateIdentifier String taskId, String agentId, long generation) {
}
