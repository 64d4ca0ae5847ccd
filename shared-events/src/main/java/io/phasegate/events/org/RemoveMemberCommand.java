package io.phasegate.events.org;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Removes a member: from then on the subject has no role in the organisation. */
public record RemoveMemberCommand(@TargetAggregateIdentifier String orgId, String subject, String removedBy) {
}
