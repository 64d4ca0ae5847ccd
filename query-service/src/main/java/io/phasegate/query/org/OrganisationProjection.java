package io.phasegate.query.org;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.FindOrganisationMemberQuery;
import io.phasegate.events.org.FindOrganisationQuery;
import io.phasegate.events.org.MemberAddedEvent;
import io.phasegate.events.org.MemberRemovedEvent;
import io.phasegate.events.org.MemberRolesChangedEvent;
import io.phasegate.events.org.OrganisationCreatedEvent;
import io.phasegate.events.org.OrganisationMemberView;
import io.phasegate.events.org.OrganisationRoleView;
import io.phasegate.events.org.OrganisationView;
import io.phasegate.events.org.RoleDefinedEvent;
import io.phasegate.events.org.RolePermissions;
import io.phasegate.platform.identity.EffectivePermissions;
import io.phasegate.platform.identity.OrganisationAccess;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Organisations with their roles and members ({@code organisations}, {@code organisation_roles},
 * {@code organisation_members}; V14) and their query handlers. It is also query-service's {@link OrganisationAccess}:
 * every permission check resolves the caller's membership from these tables (ADR 0008).
 *
 * <p>Every handler sets state (delete and insert by key), so a redelivered event changes nothing and a replay
 * rebuilds the same rows. A reset empties roles and members but keeps the organisations (the replay rewrites them):
 * while a rebuild runs, a registered organisation's callers are denied rather than falling back to token roles.
 */
@Component
@ProcessingGroup(OrganisationProjection.GROUP)
public class OrganisationProjection implements OrganisationAccess {

    public static final String GROUP = "organisations";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public OrganisationProjection(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @EventHandler
    void on(OrganisationCreatedEvent event, TrackingToken token) {
        long position = position(token);
        jdbc.update("DELETE FROM organisations WHERE org_id = ?", event.orgId());
        jdbc.update("INSERT INTO organisations (org_id, name, created_by, created_at, position) VALUES (?, ?, ?, ?, ?)",
                event.orgId(), event.name(), event.createdBy(), Timestamp.from(event.createdAt()), position);
        jdbc.update("DELETE FROM organisation_roles WHERE org_id = ?", event.orgId());
        event.roles().forEach((role, permissions) -> insertRole(event.orgId(), role, permissions, position));
    }

    @EventHandler
    void on(RoleDefinedEvent event, TrackingToken token) {
        jdbc.update("DELETE FROM organisation_roles WHERE org_id = ? AND role = ?", event.orgId(), event.role());
        insertRole(event.orgId(), event.role(), event.permissions(), position(token));
    }

    @EventHandler
    void on(MemberAddedEvent event, TrackingToken token) {
        member(event.orgId(), event.subject(), event.roles(), position(token));
    }

    @EventHandler
    void on(MemberRolesChangedEvent event, TrackingToken token) {
        member(event.orgId(), event.subject(), event.roles(), position(token));
    }

    @EventHandler
    void on(MemberRemovedEvent event) {
        jdbc.update("DELETE FROM organisation_members WHERE org_id = ? AND subject = ?", event.orgId(), event.subject());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM organisation_members");
        jdbc.update("DELETE FROM organisation_roles");
    }

    private void member(String orgId, String subject, List<String> roles, long position) {
        jdbc.update("DELETE FROM organisation_members WHERE org_id = ? AND subject = ?", orgId, subject);
        jdbc.update("INSERT INTO organisation_members (org_id, subject, roles, position) VALUES (?, ?, ?, ?)",
                orgId, subject, json.writeValueAsString(roles), position);
    }

    private void insertRole(String orgId, String role, RolePermissions permissions, long position) {
        jdbc.update("""
                        INSERT INTO organisation_roles (org_id, role, provisioning, tasks, audit, org_admin, position)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""",
                orgId, role, permissions.provisioning().wire(), permissions.tasks().wire(),
                permissions.audit().wire(), permissions.orgAdmin(), position);
    }

    private static long position(TrackingToken token) {
        return token == null ? 0L : EventStorePositions.position(token).orElse(0L);
    }

    // --- queries -----------------------------------------------------------------------------------------------

    @QueryHandler
    public Optional<OrganisationView> handle(FindOrganisationQuery query) {
        List<OrganisationView> found = jdbc.query("SELECT * FROM organisations WHERE org_id = ?",
                (rs, row) -> new OrganisationView(rs.getString("org_id"), rs.getString("name"),
                        roles(query.orgId()), members(query.orgId()), rs.getString("created_by"),
                        rs.getTimestamp("created_at").toInstant()), query.orgId());
        return found.stream().findFirst();
    }

    @QueryHandler
    public Optional<OrganisationMemberView> handle(FindOrganisationMemberQuery query) {
        return jdbc.query("SELECT * FROM organisation_members WHERE org_id = ? AND subject = ?", this::member,
                query.orgId(), query.subject()).stream().findFirst();
    }

    private List<OrganisationRoleView> roles(String orgId) {
        return jdbc.query("SELECT * FROM organisation_roles WHERE org_id = ? ORDER BY role",
                (rs, row) -> OrganisationRoleView.of(rs.getString("role"), permissions(rs)), orgId);
    }

    private List<OrganisationMemberView> members(String orgId) {
        return jdbc.query("SELECT * FROM organisation_members WHERE org_id = ? ORDER BY subject", this::member, orgId);
    }

    private OrganisationMemberView member(ResultSet rs, int row) throws SQLException {
        return new OrganisationMemberView(rs.getString("org_id"), rs.getString("subject"),
                json.readValue(rs.getString("roles"), STRINGS));
    }

    private static RolePermissions permissions(ResultSet rs) throws SQLException {
        return new RolePermissions(AccessLevel.fromWire(rs.getString("provisioning")),
                AccessLevel.fromWire(rs.getString("tasks")), AccessLevel.fromWire(rs.getString("audit")),
                rs.getBoolean("org_admin"));
    }

    // --- access resolution -------------------------------------------------------------------------------------

    @Override
    public Optional<Membership> membership(String orgId, String subject) {
        List<Optional<String>> rows = jdbc.query("""
                        SELECT m.roles FROM organisations o
                        LEFT JOIN organisation_members m ON m.org_id = o.org_id AND m.subject = ?
                        WHERE o.org_id = ?""",
                (rs, row) -> Optional.ofNullable(rs.getString("roles")), subject, orgId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        if (rows.get(0).isEmpty()) {
            return Optional.of(Membership.NONE);
        }
        List<String> roles = json.readValue(rows.get(0).get(), STRINGS);
        List<Object> args = new ArrayList<>(List.of(orgId));
        args.addAll(roles);
        String marks = String.join(",", roles.stream().map(role -> "?").toList());
        List<RolePermissions> definitions = roles.isEmpty() ? List.of() : jdbc.query(
                "SELECT * FROM organisation_roles WHERE org_id = ? AND role IN (" + marks + ")",
                (rs, row) -> permissions(rs), args.toArray());
        return Optional.of(new Membership(Set.copyOf(roles), EffectivePermissions.ofRoles(definitions)));
    }
}
