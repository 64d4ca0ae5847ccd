package io.phasegate.events.org;

import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Adds a member (a user's or service's subject) to an organisation with roles the organisation defines. */
public record AddMemberCommand(@TargetAggregateIdentifier String orgId, String subject, Set<String> roles,
                               String addedBy) {
    public AddMemberCommand {
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }
}
