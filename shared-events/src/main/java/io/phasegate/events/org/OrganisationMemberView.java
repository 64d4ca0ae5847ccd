package io.phasegate.events.org;

import java.util.List;

/** A member of an organisation and its roles (sorted). */
public record OrganisationMemberView(String orgId, String subject, List<String> roles) {
    public OrganisationMemberView {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
