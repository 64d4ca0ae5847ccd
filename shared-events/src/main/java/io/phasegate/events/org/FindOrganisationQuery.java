package io.phasegate.events.org;

/** The organisation {@code orgId} with its roles and members; answers an optional {@link OrganisationView}. */
public record FindOrganisationQuery(String orgId) {
}
