package io.phasegate.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.platform.identity.Permission.Area;
import io.phasegate.platform.identity.Permission.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The default role matrix of SPEC §2.5, cell by cell. */
class PermissionTest {

    /**
     * SPEC §2.5, transcribed independently of {@link Permission}:
     * <pre>
     * | role      | provisioning | tasks | audit | org admin |
     * | admin     | full         | full  | read  | yes       |
     * | developer | read         | full  | none  | no        |
     * | auditor   | read         | read  | read  | no        |
     * | viewer    | none         | read  | none  | no        |
     * </pre>
     * "yes" is the full right, "no" none.
     */
    private static final Map<String, Map<Area, Level>> SPEC = Map.of(
            "admin", matrix(Level.FULL, Level.FULL, Level.READ, Level.FULL),
            "developer", matrix(Level.READ, Level.FULL, Level.NONE, Level.NONE),
            "auditor", matrix(Level.READ, Level.READ, Level.READ, Level.NONE),
            "viewer", matrix(Level.NONE, Level.READ, Level.NONE, Level.NONE));

    private static Map<Area, Level> matrix(Level provisioning, Level tasks, Level audit, Level orgAdmin) {
        Map<Area, Level> row = new EnumMap<>(Area.class);
        row.put(Area.PROVISIONING, provisioning);
        row.put(Area.TASKS, tasks);
        row.put(Area.AUDIT, audit);
        row.put(Area.ORG_ADMIN, orgAdmin);
        return row;
    }

    static List<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (String role : List.of("admin", "developer", "auditor", "viewer")) {
            for (Area area : Area.values()) {
                for (Level required : List.of(Level.READ, Level.FULL)) {
                    Level granted = SPEC.get(role).get(area);
                    cells.add(Arguments.of(role, area, required, granted.ordinal() >= required.ordinal()));
                }
            }
        }
        return cells;
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @MethodSource("cells")
    void defaultRoleMatrix(String role, Area area, Level required, boolean allowed) {
        assertThat(Permission.allows(Set.of(role), area, required)).isEqualTo(allowed);
        assertThat(new CallerIdentity("someone", "org-acme", Set.of(role)).can(area, required)).isEqualTo(allowed);
    }

    @Test
    void everyAreaIsCoveredBySpecMatrix() {
        assertThat(SPEC.values()).allSatisfy(row -> assertThat(row.keySet()).containsExactlyInAnyOrder(Area.values()));
    }

    @Test
    void fullImpliesReadAndNoneDeniesAll() {
        assertThat(Permission.allows(Set.of("admin"), Area.PROVISIONING, Level.READ)).isTrue();
        assertThat(Permission.allows(Set.of("viewer"), Area.PROVISIONING, Level.READ)).isFalse();
        assertThat(Permission.allows(Set.of("viewer"), Area.PROVISIONING, Level.FULL)).isFalse();
    }

    @Test
    void severalRolesGrantTheUnionOfTheirRights() {
        Set<String> roles = Set.of("viewer", "auditor");
        assertThat(Permission.allows(roles, Area.AUDIT, Level.READ)).isTrue();
        assertThat(Permission.allows(roles, Area.PROVISIONING, Level.READ)).isTrue();
        assertThat(Permission.allows(roles, Area.TASKS, Level.FULL)).isFalse();
        assertThat(Permission.allows(Set.of("viewer", "developer"), Area.TASKS, Level.FULL)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Area.class)
    void unknownOrNoRolesGrantNothing(Area area) {
        assertThat(Permission.allows(Set.of(), area, Level.READ)).isFalse();
        assertThat(Permission.allows(Set.of("superuser", "root"), area, Level.READ)).isFalse();
        assertThat(Permission.allows(Set.of("ADMIN"), area, Level.READ)).as("role names are exact").isFalse();
    }
}
