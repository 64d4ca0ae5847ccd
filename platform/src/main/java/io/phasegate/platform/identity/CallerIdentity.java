package io.phasegate.platform.identity;

import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, as established by the gateway and forwarded in the internal identity token, and what it may do.
 *
 * <p>Made from the token alone (the three-argument constructor), {@code permissions} are the token's roles through
 * the default matrix of SPEC §2.5. Controllers receive the identity after {@link MembershipResolver} applied the
 * organisation's own membership: in a registered organisation {@code roles} are the caller's member roles (none for a
 * non-member) and {@code permissions} come from the organisation's role definitions (ADR 0008).
 *
 * @param subject     the user's or service's {@code sub}
 * @param orgId       the organisation every request of this caller is scoped to
 * @param roles       role names within that organisation
 * @param permissions what those roles allow, per area
 */
public record CallerIdentity(String subject, String orgId, Set<String> roles, EffectivePermissions permissions) {

    /** Subject of the identity the gateway forwards for the agent endpoints, whose credential is the phase token. */
    public static final String PHASE_TOKEN_BEARER = "phase-token-bearer";
    /** Placeholder organisation of that identity: the phase token's task decides the organisation. */
    public static final String NO_ORGANISATION = "-";

    public CallerIdentity {
        roles = Set.copyOf(roles);
        Objects.requireNonNull(permissions, "permissions");
    }

    /** A caller as its token describes it: {@code roles} mapped through the default matrix. */
    public CallerIdentity(String subject, String orgId, Set<String> roles) {
        this(subject, orgId, roles, EffectivePermissions.ofDefaultRoles(roles));
    }

    /**
     * The caller of an agent endpoint ({@code tasks/transition}, {@code tools/execute}, ...): it passed the gateway
     * but authenticates with a phase token that the service verifies itself. It has no roles, so it can use no
     * other endpoint.
     */
    public static CallerIdentity phaseTokenBearer() {
        return new CallerIdentity(PHASE_TOKEN_BEARER, NO_ORGANISATION, Set.of());
    }

    public boolean isPhaseTokenBearer() {
        return PHASE_TOKEN_BEARER.equals(subject) && NO_ORGANISATION.equals(orgId) && roles.isEmpty();
    }

    /** The same subject and organisation with the roles and permissions its organisation's membership gives it. */
    public CallerIdentity withMembership(Set<String> memberRoles, EffectivePermissions memberPermissions) {
        return new CallerIdentity(subject, orgId, memberRoles, memberPermissions);
    }

    public boolean can(Permission.Area area, Permission.Level level) {
        return permissions.allows(area, level);
    }
}
