package io.phasegate.platform.identity;

import java.util.Set;

/**
 * Who is calling, as established by the gateway and forwarded in the internal identity token.
 *
 * @param subject the user's or service's {@code sub}
 * @param orgId   the organisation every request of this caller is scoped to
 * @param roles   role names within that organisation
 */
public record CallerIdentity(String subject, String orgId, Set<String> roles) {

    /** Subject of the identity the gateway forwards for the agent endpoints, whose credential is the phase token. */
    public static final String PHASE_TOKEN_BEARER = "phase-token-bearer";
    /** Placeholder organisation of that identity: the phase token's task decides the organisation. */
    public static final String NO_ORGANISATION = "-";

    public CallerIdentity {
        roles = Set.copyOf(roles);
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

    public boolean can(Permission.Area area, Permission.Level level) {
        return Permission.allows(roles, area, level);
    }
}
