package io.phasegate.events.org;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Defines a role of an organisation, or redefines an existing one (also a default role). Needs org admin. */
public record DefineRoleCommand(@TargetAggregateIdentifier String orgId, String role, RolePermissions permissions,
                                String definedBy) {
}
