package io.phasegate.events.org;

/** One member of an organisation; answers an optional {@link OrganisationMemberView}. */
public record FindOrganisationMemberQuery(String orgId, String subject) {
}
