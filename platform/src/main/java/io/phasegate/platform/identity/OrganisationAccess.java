package io.phasegate.platform.identity;

import java.util.Optional;
import java.util.Set;

/**
 * The platform hook through which a service tells {@link MembershipResolver} what a subject may do in a registered
 * organisation. Each service implements it on its own storage (command-service: a lookup table written in the
 * appending transaction; query-service: the organisations projection). Without an implementation every caller keeps
 * its token's roles.
 *
 * <p>{@link #membership} may block (JDBC): the resolver calls it on the bounded blocking scheduler, never on the event
 * loop, and caches answers only briefly.
 */
public interface OrganisationAccess {

    /**
     * The subject's membership of the organisation.
     *
     * @return empty when the organisation is not registered (the caller's token roles then apply through the default
     * matrix); {@link Membership#NONE} when it is registered and the subject is not a member
     */
    Optional<Membership> membership(String orgId, String subject);

    /**
     * A subject's roles in a registered organisation and what they allow there.
     *
     * @param roles       the member's role names (empty for a non-member)
     * @param permissions the union of those roles' definitions in the organisation
     */
    record Membership(Set<String> roles, EffectivePermissions permissions) {

        /** Not a member: no roles, no permissions. */
        public static final Membership NONE = new Membership(Set.of(), EffectivePermissions.NONE);

        public Membership {
            roles = Set.copyOf(roles);
        }
    }
}
