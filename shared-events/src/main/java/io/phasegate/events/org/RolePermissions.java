package io.phasegate.events.org;

import java.util.Map;
import java.util.Objects;

/**
 * What a role allows, one column of the permission matrix of SPEC §2.5 each.
 *
 * @param orgAdmin whether the role administers the organisation (roles and members)
 */
public record RolePermissions(AccessLevel provisioning, AccessLevel tasks, AccessLevel audit, boolean orgAdmin) {

    public static final RolePermissions ADMIN = new RolePermissions(AccessLevel.FULL, AccessLevel.FULL, AccessLevel.READ, true);
    public static final RolePermissions DEVELOPER = new RolePermissions(AccessLevel.READ, AccessLevel.FULL, AccessLevel.NONE, false);
    public static final RolePermissions AUDITOR = new RolePermissions(AccessLevel.READ, AccessLevel.READ, AccessLevel.READ, false);
    public static final RolePermissions VIEWER = new RolePermissions(AccessLevel.NONE, AccessLevel.READ, AccessLevel.NONE, false);

    /** The default roles every organisation starts with (SPEC §2.5). */
    public static final Map<String, RolePermissions> DEFAULT_ROLES = Map.of(
            "admin", ADMIN, "developer", DEVELOPER, "auditor", AUDITOR, "viewer", VIEWER);

    public RolePermissions {
        Objects.requireNonNull(provisioning, "provisioning");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(audit, "audit");
    }
}
