package io.phasegate.events.org;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Registers an organisation with the default roles; its creator becomes its first member, with the admin role.
 *
 * @param createdBy the creator's subject
 */
public record CreateOrganisationCommand(@TargetAggregateIdentifier String orgId, String name, String createdBy) {
}
