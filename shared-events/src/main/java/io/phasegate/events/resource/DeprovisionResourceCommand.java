package io.phasegate.events.resource;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Deletes a provisioned or failed resource at the provider.
 *
 * @param expectedRevision when not {@code null}, refused with a conflict unless it is current
 */
public record DeprovisionResourceCommand(@TargetAggregateIdentifier String resourceId, String orgId,
                                         Long expectedRevision, String requestedBy) {
}
