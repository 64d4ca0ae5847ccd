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

    public CallerIdentity {
        roles = Set.copyOf(roles);
    }

    public boolean can(Permission.Area area, Permission.Level level) {
        return Permission.allows(roles, area, level);
    }
}
