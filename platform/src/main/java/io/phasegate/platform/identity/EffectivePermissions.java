package io.phasegate.platform.identity;

import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.RolePermissions;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a caller may do in its organisation, one {@link Permission.Level} per {@link Permission.Area}: the union of the
 * permissions of its roles. Built either from token roles through the default matrix ({@link #ofDefaultRoles}) or
 * from the role definitions of a registered organisation ({@link #ofRoles}).
 *
 * @param levels the granted level per area; an area that is absent is {@code NONE}
 */
public record EffectivePermissions(Map<Permission.Area, Permission.Level> levels) {

    /** Nothing at all: a subject that is not a member of a registered organisation. */
    public static final EffectivePermissions NONE = new EffectivePermissions(Map.of());

    public EffectivePermissions {
        EnumMap<Permission.Area, Permission.Level> copy = new EnumMap<>(Permission.Area.class);
        levels.forEach((area, level) -> {
            if (level != Permission.Level.NONE) {
                copy.put(area, level);
            }
        });
        levels = Map.copyOf(copy);
    }

    /** Token roles mapped through the default matrix of SPEC §2.5 (unknown role names grant nothing). */
    public static EffectivePermissions ofDefaultRoles(Collection<String> roles) {
        EnumMap<Permission.Area, Permission.Level> levels = new EnumMap<>(Permission.Area.class);
        for (String role : roles) {
            for (Permission.Area area : Permission.Area.values()) {
                levels.merge(area, Permission.defaultLevel(role, area), EffectivePermissions::max);
            }
        }
        return new EffectivePermissions(levels);
    }

    /** The union of the permissions of role definitions (an organisation's, custom roles included). */
    public static EffectivePermissions ofRoles(Collection<RolePermissions> roles) {
        EnumMap<Permission.Area, Permission.Level> levels = new EnumMap<>(Permission.Area.class);
        for (RolePermissions role : roles) {
            levels.merge(Permission.Area.PROVISIONING, level(role.provisioning()), EffectivePermissions::max);
            levels.merge(Permission.Area.TASKS, level(role.tasks()), EffectivePermissions::max);
            levels.merge(Permission.Area.AUDIT, level(role.audit()), EffectivePermissions::max);
            levels.merge(Permission.Area.ORG_ADMIN, role.orgAdmin() ? Permission.Level.FULL : Permission.Level.NONE,
                    EffectivePermissions::max);
        }
        return new EffectivePermissions(levels);
    }

    public Permission.Level level(Permission.Area area) {
        return levels.getOrDefault(area, Permission.Level.NONE);
    }

    /** Whether the granted level covers {@code required} ({@code FULL} implies {@code READ}). */
    public boolean allows(Permission.Area area, Permission.Level required) {
        return level(area).ordinal() >= required.ordinal();
    }

    private static Permission.Level level(AccessLevel level) {
        return switch (level) {
            case NONE -> Permission.Level.NONE;
            case READ -> Permission.Level.READ;
            case FULL -> Permission.Level.FULL;
        };
    }

    private static Permission.Level max(Permission.Level a, Permission.Level b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
