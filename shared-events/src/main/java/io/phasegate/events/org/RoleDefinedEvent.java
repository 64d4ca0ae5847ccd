package io.phasegate.events.org;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A role of an organisation was defined or redefined; it replaces the role's previous permissions. */
@Revision("1")
public record RoleDefinedEvent(String orgId, String role, RolePermissions permissions, String definedBy,
                               Instant definedAt) {
}
