package io.phasegate.events.dock;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sent by the rotation process when validation failed or timed out: the current credentials stay current. */
public record FailCredentialRotationCommand(@TargetAggregateIdentifier String dockId, String orgId, String rotationId,
                                            String reason) {
}
