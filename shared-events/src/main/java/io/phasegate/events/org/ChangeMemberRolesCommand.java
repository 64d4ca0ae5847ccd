package io.phasegate.events.org;

import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Replaces a member's roles. */
public record ChangeMemberRolesCommand(@TargetAggregateIdentifier String orgId, String subject, Set<String> roles,
                                       String changedBy) {
    public ChangeMemberRolesCommand {
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }
}
