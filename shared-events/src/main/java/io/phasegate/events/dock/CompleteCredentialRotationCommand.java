package io.phasegate.events.dock;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sent by the rotation process when the adapter accepted the candidate credentials: they become current. */
public record CompleteCredentialRotationCommand(@TargetAggregateIdentifier String dockId, String orgId,
                                                String rotationId) {
}
