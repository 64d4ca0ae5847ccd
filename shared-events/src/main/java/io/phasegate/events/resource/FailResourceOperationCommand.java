package io.phasegate.events.resource;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sent by the provisioning process when an operation failed for good (permanent error or retries used up). */
public record FailResourceOperationCommand(@TargetAggregateIdentifier String resourceId, String orgId,
                                           String operationId, String reason, int attempts) {
}
