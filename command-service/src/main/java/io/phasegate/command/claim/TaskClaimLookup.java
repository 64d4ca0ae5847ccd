package io.phasegate.command.claim;

import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.task.TaskTransitionedEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The command side's own lookup of tasks for claim-next ({@code task_claim_lookup} in the {@code command} schema).
 * Its processing group runs as a <em>subscribing</em> processor (see {@link ClaimConfiguration}): the handlers run in
 * the unit of work that appends the event, inside the same database transaction, so the lookup is exactly as
 * current as the event store. Every handler sets state rather than accumulating it, so a repeated event changes
 * nothing. The lookup only proposes candidates; the Task aggregate decides every claim.
 */
@Component
@ProcessingGroup(TaskClaimLookup.GROUP)
public class TaskClaimLookup {

    public static final String GROUP = "task-claim-lookup";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public TaskClaimLookup(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A task as the lookup holds it. */
    public record Entry(String taskId, String orgId, String title, String status, String phase, String workflowId,
                        int workflowVersion, int priority, List<String> dependsOn, List<String> requiredCapabilities) {
    }

    @EventHandler
    void on(TaskCreatedEvent event) {
        jdbc.update("DELETE FROM task_claim_lookup WHERE task_id = ?", event.taskId());
        jdbc.update("""
                        INSERT INTO task_claim_lookup (task_id, org_id, title, status, phase, workflow_id,
                                                       workflow_version, priority, depends_on, required_capabilities,
                                                       created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                event.taskId(), event.orgId(), event.title(), TaskStatus.CREATED.wire(), event.phase(),
                event.workflowId(), event.workflowVersion(), event.priority(),
                json.writeValueAsString(event.dependsOn()), json.writeValueAsString(event.requiredCapabilities()),
                Timestamp.from(event.createdAt()));
    }

    @EventHandler
    void on(TaskClaimedEvent event) {
        status(event.taskId(), TaskStatus.CLAIMED);
    }

    @EventHandler
    void on(TaskReleasedEvent event) {
        status(event.taskId(), TaskStatus.CREATED);
    }

    @EventHandler
    void on(TaskClaimExpiredEvent event) {
        status(event.taskId(), TaskStatus.CREATED);
    }

    @EventHandler
    void on(TaskTransitionedEvent event) {
        jdbc.update("UPDATE task_claim_lookup SET phase = ? WHERE task_id = ?", event.toPhase(), event.taskId());
    }

    @EventHandler
    void on(TaskCompletedEvent event) {
        status(event.taskId(), TaskStatus.COMPLETED);
    }

    @EventHandler
    void on(TaskCancelledEvent event) {
        status(event.taskId(), TaskStatus.CANCELLED);
    }

    private void status(String taskId, TaskStatus status) {
        jdbc.update("UPDATE task_claim_lookup SET status = ? WHERE task_id = ?", status.wire(), taskId);
    }

    /** The task, if it exists and belongs to {@code orgId}. */
    public Optional<Entry> find(String orgId, String taskId) {
        return jdbc.query("SELECT * FROM task_claim_lookup WHERE task_id = ? AND org_id = ?", this::map, taskId, orgId)
                .stream().findFirst();
    }

    /**
     * Unclaimed tasks of the organisation whose required capabilities {@code capabilities} cover, highest priority
     * first, then oldest; at most {@code limit}. Dependencies are not filtered here (see {@link #completed}).
     */
    public List<Entry> unclaimed(String orgId, Collection<String> capabilities, int limit) {
        List<Entry> result = new ArrayList<>();
        int offset = 0;
        int page = Math.max(limit, 50);
        while (result.size() < limit) {
            List<Entry> rows = jdbc.query("""
                            SELECT * FROM task_claim_lookup WHERE org_id = ? AND status = ?
                            ORDER BY priority DESC, created_at ASC, task_id ASC LIMIT ? OFFSET ?""",
                    this::map, orgId, TaskStatus.CREATED.wire(), page, offset);
            rows.stream().filter(e -> capabilities.containsAll(e.requiredCapabilities()))
                    .limit(limit - result.size()).forEach(result::add);
            if (rows.size() < page) {
                break;
            }
            offset += page;
        }
        return result;
    }

    /** Those of {@code taskIds} that are completed tasks of the organisation. */
    public List<String> completed(String orgId, Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return List.of();
        }
        String marks = String.join(",", taskIds.stream().map(id -> "?").toList());
        List<Object> args = new ArrayList<>(List.of(orgId, TaskStatus.COMPLETED.wire()));
        args.addAll(taskIds);
        return jdbc.queryForList("SELECT task_id FROM task_claim_lookup WHERE org_id = ? AND status = ? AND task_id IN ("
                + marks + ")", String.class, args.toArray());
    }

    private Entry map(ResultSet rs, int row) throws SQLException {
        return new Entry(rs.getString("task_id"), rs.getString("org_id"), rs.getString("title"),
                rs.getString("status"), rs.getString("phase"), rs.getString("workflow_id"),
                rs.getInt("workflow_version"), rs.getInt("priority"),
                json.readValue(rs.getString("depends_on"), STRINGS),
                json.readValue(rs.getString("required_capabilities"), STRINGS));
    }

}
