package io.phasegate.events.resource;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sent by the provisioning process after a failed (retryable) provider call; the next attempt is due at {@code nextAttemptAt}. */
public record RecordOperationAttemptFailureCommand(@TargetAggregateIdentifier String resourceId, String orgId,
                                                   String operationId, int attempt, String reason,
                                                   Instant nextAttemptAt) {
}
