package io.phasegate.command.org;

import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.MemberAddedEvent;
import io.phasegate.events.org.MemberRemovedEvent;
import io.phasegate.events.org.MemberRolesChangedEvent;
import io.phasegate.events.org.OrganisationCreatedEvent;
import io.phasegate.events.org.RoleDefinedEvent;
import io.phasegate.events.org.RolePermissions;
import io.phasegate.platform.identity.EffectivePermissions;
import io.phasegate.platform.identity.MembershipResolver;
import io.phasegate.platform.identity.OrganisationAccess;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * command-service's {@link OrganisationAccess}: the roles and members of registered organisations in the
 * {@code command} schema ({@code organisation_access*} tables, V12). Like the claim lookup, its processing group runs
 * as a <em>subscribing</em> processor ({@link OrganisationConfiguration}): the handlers write in the unit of work that
 * appends the events, inside the same transaction, so the table is exactly as current as the event store on every
 * instance. Every handler sets state, so a repeated event changes nothing. After the commit the instance's cached
 * answers for the organisation are dropped; other instances' caches expire within their short TTL.
 */
@Component
@ProcessingGroup(OrganisationAccessTable.GROUP)
public class OrganisationAccessTable implements OrganisationAccess {

    public static final String GROUP = "organisation-access";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final ObjectProvider<MembershipResolver> resolver;

    public OrganisationAccessTable(JdbcTemplate jdbc, ObjectMapper json, ObjectProvider<MembershipResolver> resolver) {
        this.jdbc = jdbc;
        this.json = json;
        this.resolver = resolver;
    }

    @EventHandler
    void on(OrganisationCreatedEvent event) {
        jdbc.update("DELETE FROM organisation_access WHERE org_id = ?", event.orgId());
        jdbc.update("INSERT INTO organisation_access (org_id) VALUES (?)", event.orgId());
        jdbc.update("DELETE FROM organisation_access_roles WHERE org_id = ?", event.orgId());
        event.roles().forEach((role, permissions) -> insertRole(event.orgId(), role, permissions));
        invalidateAfterCommit(event.orgId());
    }

    @EventHandler
    void on(RoleDefinedEvent event) {
        jdbc.update("DELETE FROM organisation_access_roles WHERE org_id = ? AND role = ?", event.orgId(), event.role());
        insertRole(event.orgId(), event.role(), event.permissions());
        invalidateAfterCommit(event.orgId());
    }

    @EventHandler
    void on(MemberAddedEvent event) {
        member(event.orgId(), event.subject(), event.roles());
    }

    @EventHandler
    void on(MemberRolesChangedEvent event) {
        member(event.orgId(), event.subject(), event.roles());
    }

    @EventHandler
    void on(MemberRemovedEvent event) {
        jdbc.update("DELETE FROM organisation_access_members WHERE org_id = ? AND subject = ?", event.orgId(),
                event.subject());
        invalidateAfterCommit(event.orgId());
    }

    private void member(String orgId, String subject, List<String> roles) {
        jdbc.update("DELETE FROM organisation_access_members WHERE org_id = ? AND subject = ?", orgId, subject);
        jdbc.update("INSERT INTO organisation_access_members (org_id, subject, roles) VALUES (?, ?, ?)", orgId,
                subject, json.writeValueAsString(roles));
        invalidateAfterCommit(orgId);
    }

    private void insertRole(String orgId, String role, RolePermissions permissions) {
        jdbc.update("""
                        INSERT INTO organisation_access_roles (org_id, role, provisioning, tasks, audit, org_admin)
                        VALUES (?, ?, ?, ?, ?, ?)""",
                orgId, role, permissions.provisioning().wire(), permissions.tasks().wire(),
                permissions.audit().wire(), permissions.orgAdmin());
    }

    private void invalidateAfterCommit(String orgId) {
        MembershipResolver membership = resolver.getIfAvailable();
        if (membership == null) {
            return;
        }
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(unitOfWork -> membership.invalidate(orgId));
        } else {
            membership.invalidate(orgId);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Override
    public Optional<Membership> membership(String orgId, String subject) {
        List<Optional<String>> rows = jdbc.query("""
                        SELECT m.roles FROM organisation_access o
                        LEFT JOIN organisation_access_members m ON m.org_id = o.org_id AND m.subject = ?
                        WHERE o.org_id = ?""",
                (rs, row) -> Optional.ofNullable(rs.getString("roles")), subject, orgId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        if (rows.get(0).isEmpty()) {
            return Optional.of(Membership.NONE);
        }
        List<String> roles = json.readValue(rows.get(0).get(), STRINGS);
        return Optional.of(new Membership(Set.copyOf(roles),
                EffectivePermissions.ofRoles(definitions(orgId, roles).values())));
    }

    /** Whether the organisation is registered. */
    public boolean registered(String orgId) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM organisation_access WHERE org_id = ?",
                Integer.class, orgId);
        return count != null && count > 0;
    }

    /** The organisation's definitions of {@code roles} (those it defines). */
    Map<String, RolePermissions> definitions(String orgId, Collection<String> roles) {
        if (roles.isEmpty()) {
            return Map.of();
        }
        List<Object> args = new ArrayList<>(List.of(orgId));
        args.addAll(roles);
        String marks = String.join(",", roles.stream().map(role -> "?").toList());
        Map<String, RolePermissions> definitions = new java.util.TreeMap<>();
        jdbc.query("SELECT * FROM organisation_access_roles WHERE org_id = ? AND role IN (" + marks + ")",
                (ResultSet rs) -> {
                    definitions.put(rs.getString("role"), permissions(rs));
                }, args.toArray());
        return definitions;
    }

    private static RolePermissions permissions(ResultSet rs) throws SQLException {
        return new RolePermissions(AccessLevel.fromWire(rs.getString("provisioning")),
                AccessLevel.fromWire(rs.getString("tasks")), AccessLevel.fromWire(rs.getString("audit")),
                rs.getBoolean("org_admin"));
    }
}
