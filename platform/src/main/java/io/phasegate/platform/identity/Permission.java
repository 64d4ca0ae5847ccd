package io.phasegate.platform.identity;

import java.util.Collection;
import java.util.Map;

/**
 * The default role → permission matrix of SPEC §2.5. {@code FULL} implies {@code READ}.
 *
 * <pre>
 * role       provisioning  tasks  audit  org admin
 * admin      full          full   read   yes
 * developer  read          full   none   no
 * auditor    read          read   read   no
 * viewer     none          read   none   no
 * </pre>
 */
public final class Permission {

    public enum Area { PROVISIONING, TASKS, AUDIT, ORG_ADMIN }

    public enum Level { NONE, READ, FULL }

    private static final Map<String, Map<Area, Level>> DEFAULT_ROLES = Map.of(
            "admin", Map.of(Area.PROVISIONING, Level.FULL, Area.TASKS, Level.FULL, Area.AUDIT, Level.READ,
                    Area.ORG_ADMIN, Level.FULL),
            "developer", Map.of(Area.PROVISIONING, Level.READ, Area.TASKS, Level.FULL),
            "auditor", Map.of(Area.PROVISIONING, Level.READ, Area.TASKS, Level.READ, Area.AUDIT, Level.READ),
            "viewer", Map.of(Area.TASKS, Level.READ));

    private Permission() {
    }

    public static boolean allows(Collection<String> roles, Area area, Level required) {
        if (required == Level.NONE) {
            return true;
        }
        for (String role : roles) {
            if (defaultLevel(role, area).ordinal() >= required.ordinal()) {
                return true;
            }
        }
        return false;
    }

    /** What the default matrix grants {@code role} in {@code area}; {@code NONE} for a role it does not know. */
    public static Level defaultLevel(String role, Area area) {
        return DEFAULT_ROLES.getOrDefault(role, Map.of()).getOrDefault(area, Level.NONE);
    }
}
