package io.phasegate.events.org;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/** A member's roles were replaced; both lists sorted. */
@Revision("1")
public record MemberRolesChangedEvent(String orgId, String subject, List<String> roles, List<String> previousRoles,
                                      String changedBy, Instant changedAt) {
    public MemberRolesChangedEvent {
        roles = roles == null ? List.of() : List.copyOf(roles);
        previousRoles = previousRoles == null ? List.of() : List.copyOf(previousRoles);
    }
}
