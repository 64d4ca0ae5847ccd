package io.phasegate.events.org;

/**
 * A role of an organisation and its permissions, as on the wire ({@code full}, {@code read}, {@code none}).
 */
public record OrganisationRoleView(String role, String provisioning, String tasks, String audit, boolean orgAdmin) {

    public static OrganisationRoleView of(String role, RolePermissions permissions) {
        return new OrganisationRoleView(role, permissions.provisioning().wire(), permissions.tasks().wire(),
                permissions.audit().wire(), permissions.orgAdmin());
    }
}
