package io.phasegate.query.provisioning;

import static io.phasegate.query.provisioning.DockRows.instant;
import static io.phasegate.query.provisioning.DockRows.ts;

import io.phasegate.events.resource.ProvisionStatusView;
import io.phasegate.events.resource.ProvisioningOperationView;
import io.phasegate.events.resource.ResourceView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads and writes the {@code resources} and {@code provisioning_operations} tables: a resource row with the row of
 * its current operation is a {@link ResourceState}; views are made by the static methods.
 */
@Component
class ResourceRows {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    ResourceRows(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The resource's state (with its current operation), whatever its organisation; empty when it has no row. */
    Optional<ResourceState> find(String resourceId) {
        return select("SELECT * FROM resources WHERE resource_id = ?", resourceId).stream().findFirst().map(r -> {
            ResourceState.Operation operation = r.operation() == null ? null
                    : operation(r.operation().operationId()).orElse(null);
            return new ResourceState(r.resourceId(), r.orgId(), r.dockId(), r.type(), r.name(), r.spec(), r.source(),
                    r.providerResourceId(), r.state(), r.revision(), r.attributes(), r.lastError(), r.createdBy(),
                    r.createdAt(), r.createdPosition(), r.provisionedAt(), r.updatedAt(), r.deprovisionedAt(),
                    operation, r.position());
        });
    }

    /**
     * Resource rows selected by {@code sql} (which selects {@code *} of {@code resources}), in their order; their
     * {@code operation} only carries the operation's id (enough for {@link #view}).
     */
    List<ResourceState> select(String sql, Object... args) {
        return jdbc.query(sql, this::resource, args);
    }

    Optional<ResourceState.Operation> operation(String operationId) {
        return jdbc.query("SELECT * FROM provisioning_operations WHERE operation_id = ?", ResourceRows::operation,
                operationId).stream().findFirst();
    }

    List<ProvisioningOperationView> operations(String sql, Object... args) {
        return jdbc.query(sql, (rs, row) -> operationView(rs.getString("resource_id"), rs.getString("org_id"),
                rs.getString("dock_id"), operation(rs, row)), args);
    }

    /** Writes the fold's new state: the resource row and, when it changed, its operation's row. */
    void write(ResourceState before, ResourceState after) {
        if (before == null) {
            jdbc.update("""
                            INSERT INTO resources (resource_id, org_id, dock_id, type, name, spec, provisioning_source,
                                provider_resource_id, state, revision, attributes, last_error, created_by, created_at,
                                created_position, provisioned_at, updated_at, deprovisioned_at, operation_id, position)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    after.resourceId(), after.orgId(), after.dockId(), after.type(), after.name(),
                    json.writeValueAsString(after.spec()), after.source(), after.providerResourceId(), after.state(),
                    after.revision(), json.writeValueAsString(after.attributes()), after.lastError(),
                    after.createdBy(), ts(after.createdAt()), after.createdPosition(), ts(after.provisionedAt()),
                    ts(after.updatedAt()), ts(after.deprovisionedAt()), operationId(after), after.position());
        } else {
            jdbc.update("""
                            UPDATE resources SET dock_id = ?, spec = ?, provider_resource_id = ?, state = ?,
                                revision = ?, attributes = ?, last_error = ?, provisioned_at = ?, updated_at = ?,
                                deprovisioned_at = ?, operation_id = ?, position = ?
                            WHERE resource_id = ? AND position < ?""",
                    after.dockId(), json.writeValueAsString(after.spec()), after.providerResourceId(), after.state(),
                    after.revision(), json.writeValueAsString(after.attributes()), after.lastError(),
                    ts(after.provisionedAt()), ts(after.updatedAt()), ts(after.deprovisionedAt()),
                    operationId(after), after.position(), after.resourceId(), after.position());
        }
        ResourceState.Operation op = after.operation();
        ResourceState.Operation previous = before == null ? null : before.operation();
        if (op == null || op.equals(previous)) {
            return;
        }
        int updated = jdbc.update("""
                        UPDATE provisioning_operations SET status = ?, attempts = ?, last_error = ?,
                            next_attempt_at = ?, completed_at = ?, position = ?
                        WHERE operation_id = ? AND position < ?""",
                op.status(), op.attempts(), op.lastError(), ts(op.nextAttemptAt()), ts(op.completedAt()),
                op.position(), op.operationId(), op.position());
        if (updated == 0 && operation(op.operationId()).isEmpty()) {
            jdbc.update("""
                            INSERT INTO provisioning_operations (operation_id, resource_id, org_id, dock_id, kind,
                                status, revision, attempts, last_error, next_attempt_at, requested_by, requested_at,
                                requested_position, completed_at, position)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    op.operationId(), after.resourceId(), after.orgId(), after.dockId(), op.kind(), op.status(),
                    op.revision(), op.attempts(), op.lastError(), ts(op.nextAttemptAt()), op.requestedBy(),
                    ts(op.requestedAt()), op.requestedPosition(), ts(op.completedAt()), op.position());
        }
    }

    static ResourceView view(ResourceState s) {
        return new ResourceView(s.resourceId(), s.orgId(), s.dockId(), s.type(), s.name(), s.spec(), s.source(),
                s.providerResourceId(), s.state(), s.revision(), s.attributes(), s.lastError(), s.createdBy(),
                s.createdAt(), s.provisionedAt(), s.updatedAt(), s.deprovisionedAt(), operationId(s), s.position());
    }

    static ProvisionStatusView status(ResourceState s) {
        return new ProvisionStatusView(s.resourceId(), s.orgId(), s.dockId(), s.state(), s.revision(),
                s.providerResourceId(), s.lastError(), operationView(s), s.updatedAt(), s.position());
    }

    static ProvisioningOperationView operationView(ResourceState s) {
        return s.operation() == null ? null : operationView(s.resourceId(), s.orgId(), s.dockId(), s.operation());
    }

    private static ProvisioningOperationView operationView(String resourceId, String orgId, String dockId,
                                                           ResourceState.Operation op) {
        return new ProvisioningOperationView(op.operationId(), resourceId, orgId, dockId, op.kind(), op.status(),
                op.revision(), op.attempts(), op.lastError(), op.nextAttemptAt(), op.requestedBy(), op.requestedAt(),
                op.completedAt(), op.position());
    }

    private static String operationId(ResourceState s) {
        return s.operation() == null ? null : s.operation().operationId();
    }

    /** A resources row, with a placeholder operation that only carries the operation id (filled in by select). */
    private ResourceState resource(ResultSet rs, int row) throws SQLException {
        String operationId = rs.getString("operation_id");
        ResourceState.Operation placeholder = operationId == null ? null
                : new ResourceState.Operation(operationId, null, null, 0, 0, null, null, null, null, 0, null, 0);
        return new ResourceState(rs.getString("resource_id"), rs.getString("org_id"), rs.getString("dock_id"),
                rs.getString("type"), rs.getString("name"), json.readValue(rs.getString("spec"), OBJECT),
                rs.getString("provisioning_source"), rs.getString("provider_resource_id"), rs.getString("state"),
                rs.getLong("revision"), json.readValue(rs.getString("attributes"), STRINGS),
                rs.getString("last_error"), rs.getString("created_by"), instant(rs.getTimestamp("created_at")),
                rs.getLong("created_position"), instant(rs.getTimestamp("provisioned_at")),
                instant(rs.getTimestamp("updated_at")), instant(rs.getTimestamp("deprovisioned_at")), placeholder,
                rs.getLong("position"));
    }

    private static ResourceState.Operation operation(ResultSet rs, int row) throws SQLException {
        return new ResourceState.Operation(rs.getString("operation_id"), rs.getString("kind"),
                rs.getString("status"), rs.getLong("revision"), rs.getInt("attempts"), rs.getString("last_error"),
                instant(rs.getTimestamp("next_attempt_at")), rs.getString("requested_by"),
                instant(rs.getTimestamp("requested_at")), rs.getLong("requested_position"),
                instant(rs.getTimestamp("completed_at")), rs.getLong("position"));
    }
}
