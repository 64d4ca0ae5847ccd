package io.phasegate.events.org;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A subject stopped being a member of an organisation. */
@Revision("1")
public record MemberRemovedEvent(String orgId, String subject, String removedBy, Instant removedAt) {
}
