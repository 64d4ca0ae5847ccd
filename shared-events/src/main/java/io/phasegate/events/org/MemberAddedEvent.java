package io.phasegate.events.org;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/** A subject became a member of an organisation; {@code roles} sorted. */
@Revision("1")
public record MemberAddedEvent(String orgId, String subject, List<String> roles, String addedBy, Instant addedAt) {
    public MemberAddedEvent {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
