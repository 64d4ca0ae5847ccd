package io.phasegate.query.task;

import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.FindTasksQuery;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskPage;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.task.TaskView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The task snapshot read model ({@code tasks} table) and its query handlers. Idempotent and replay-safe: rows are
 * keyed by task id, changes carry the global position of the event that made them (an update applies only to a row
 * whose {@code position} is lower than its event's), and a reset empties the table.
 */
@Component
@ProcessingGroup(TaskProjection.GROUP)
public class TaskProjection {

    public static final String GROUP = "tasks";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final QueryUpdateEmitter updates;

    public TaskProjection(JdbcTemplate jdbc, ObjectMapper json, QueryUpdateEmitter updates) {
        this.jdbc = jdbc;
        this.json = json;
        this.updates = updates;
    }

    @EventHandler
    void on(TaskCreatedEvent event, TrackingToken token) {
        long position = token.position().orElse(0L);
        Integer existing = jdbc.queryForObject("SELECT COUNT(*) FROM tasks WHERE task_id = ?", Integer.class,
                event.taskId());
        if (existing != null && existing > 0) {
            return; // delivered again: already applied
        }
        Timestamp created = Timestamp.from(event.createdAt());
        jdbc.update("""
                        INSERT INTO tasks (task_id, org_id, project_id, title, description, status, phase, workflow_id,
                                           workflow_version, depends_on, required_capabilities, priority, created_by,
                                           created_at, updated_at, created_position, position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                event.taskId(), event.orgId(), event.projectId(), event.title(), event.description(),
                TaskStatus.CREATED.wire(), event.phase(), event.workflowId(), event.workflowVersion(),
                json.writeValueAsString(event.dependsOn()), json.writeValueAsString(event.requiredCapabilities()),
                event.priority(), event.createdBy(), created, created, position, position);
        TaskView view = new TaskView(event.taskId(), event.orgId(), event.projectId(), event.title(),
                event.description(), TaskStatus.CREATED.wire(), event.phase(), null, null, event.workflowId(),
                event.workflowVersion(), event.dependsOn(), event.requiredCapabilities(), event.priority(),
                event.createdBy(), event.createdAt(), event.createdAt(), position);
        updates.emit(FindTaskQuery.class,
                q -> q.taskId().equals(view.taskId()) && q.orgId().equals(view.orgId()), view);
    }

    @EventHandler
    void on(TaskClaimedEvent event, TrackingToken token) {
        long position = token.position().orElse(0L);
        int applied = jdbc.update("""
                        UPDATE tasks SET status = ?, claimed_by = ?, lease_expires_at = ?, token_generation = ?,
                                         updated_at = ?, position = ?
                        WHERE task_id = ? AND org_id = ? AND position < ?""",
                TaskStatus.CLAIMED.wire(), event.agentId(), Timestamp.from(event.leaseExpiresAt()),
                event.tokenGeneration(), Timestamp.from(event.claimedAt()), position,
                event.taskId(), event.orgId(), position);
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(TaskLeaseRenewedEvent event, TrackingToken token) {
        long position = token.position().orElse(0L);
        int applied = jdbc.update("""
                        UPDATE tasks SET lease_expires_at = ?, updated_at = ?, position = ?
                        WHERE task_id = ? AND org_id = ? AND position < ?""",
                Timestamp.from(event.leaseExpiresAt()), Timestamp.from(event.renewedAt()), position,
                event.taskId(), event.orgId(), position);
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(TaskReleasedEvent event, TrackingToken token) {
        unclaim(event.orgId(), event.taskId(), event.releasedAt(), token);
    }

    @EventHandler
    void on(TaskClaimExpiredEvent event, TrackingToken token) {
        unclaim(event.orgId(), event.taskId(), event.expiredAt(), token);
    }

    /** Released or expired: the task is claimable again. The token generation is kept (it only ever grows). */
    private void unclaim(String orgId, String taskId, Instant at, TrackingToken token) {
        long position = token.position().orElse(0L);
        int applied = jdbc.update("""
                        UPDATE tasks SET status = ?, claimed_by = NULL, lease_expires_at = NULL, updated_at = ?,
                                         position = ?
                        WHERE task_id = ? AND org_id = ? AND position < ?""",
                TaskStatus.CREATED.wire(), Timestamp.from(at), position, taskId, orgId, position);
        emitIfApplied(applied, orgId, taskId);
    }

    /** Emits the row as it is now to subscribers of the task, unless the event was already applied (redelivery). */
    private void emitIfApplied(int applied, String orgId, String taskId) {
        if (applied == 0) {
            return;
        }
        handle(new FindTaskQuery(orgId, taskId)).ifPresent(view -> updates.emit(FindTaskQuery.class,
                q -> q.taskId().equals(view.taskId()) && q.orgId().equals(view.orgId()), view));
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM tasks");
    }

    @QueryHandler
    public Optional<TaskView> handle(FindTaskQuery query) {
        return jdbc.query("SELECT * FROM tasks WHERE task_id = ? AND org_id = ?", this::map,
                query.taskId(), query.orgId()).stream().findFirst();
    }

    @QueryHandler
    public TaskPage handle(FindTasksQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM tasks WHERE org_id = ?");
        List<Object> args = new ArrayList<>(List.of(query.orgId()));
        if (query.projectId() != null) {
            sql.append(" AND project_id = ?");
            args.add(query.projectId());
        }
        if (query.status() != null) {
            sql.append(" AND status = ?");
            args.add(query.status());
        }
        if (query.workflowId() != null) {
            sql.append(" AND workflow_id = ?");
            args.add(query.workflowId());
        }
        if (query.after() != null) {
            sql.append(" AND created_position < ?");
            args.add(Long.parseLong(query.after()));
        }
        sql.append(" ORDER BY created_position DESC LIMIT ?");
        args.add(query.limit() + 1);
        List<TaskView> rows = jdbc.query(sql.toString(), this::map, args.toArray());
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            next = Long.toString(jdbc.queryForObject("SELECT created_position FROM tasks WHERE task_id = ?",
                    Long.class, rows.get(rows.size() - 1).taskId()));
        }
        return new TaskPage(List.copyOf(rows), next);
    }

    private TaskView map(ResultSet rs, int row) throws SQLException {
        return new TaskView(rs.getString("task_id"), rs.getString("org_id"), rs.getString("project_id"),
                rs.getString("title"), rs.getString("description"), rs.getString("status"), rs.getString("phase"),
                rs.getString("claimed_by"), instant(rs.getTimestamp("lease_expires_at")),
                rs.getString("workflow_id"), rs.getInt("workflow_version"),
                json.readValue(rs.getString("depends_on"), STRINGS),
                json.readValue(rs.getString("required_capabilities"), STRINGS), rs.getInt("priority"),
                rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), rs.getLong("position"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
