package io.phasegate.events.org;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** An organisation was registered with its initial roles (the defaults of SPEC §2.5). */
@Revision("1")
public record OrganisationCreatedEvent(String orgId, String name, Map<String, RolePermissions> roles, String createdBy,
                                       Instant createdAt) {
    public OrganisationCreatedEvent {
        roles = roles == null ? Map.of() : Map.copyOf(roles);
    }
}
