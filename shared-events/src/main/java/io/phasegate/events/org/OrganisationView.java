package io.phasegate.events.org;

import java.time.Instant;
import java.util.List;

/**
 * A registered organisation as the query side holds it.
 *
 * @param roles   every role it defines, by name
 * @param members every member, by subject
 */
public record OrganisationView(String orgId, String name, List<OrganisationRoleView> roles,
                               List<OrganisationMemberView> members, String createdBy, Instant createdAt) {
    public OrganisationView {
        roles = roles == null ? List.of() : List.copyOf(roles);
        members = members == null ? List.of() : List.copyOf(members);
    }
}
