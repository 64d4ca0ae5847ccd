package io.phasegate.events.dock;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sent when a previous credential version's grace period has passed. */
public record RetireCredentialCommand(@TargetAggregateIdentifier String dockId, String orgId, int version) {
}
