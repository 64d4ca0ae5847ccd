package io.phasegate.query.task;

import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.tool.ToolApprovalDeniedEvent;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolApprovalView;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * The task snapshot read model: the {@code tasks} table and its child tables {@code task_dependencies},
 * {@code task_capabilities}, {@code task_review_rounds}, {@code task_reviews} and {@code tool_approvals}. The query
 * handlers are in {@link TaskQueries}; views are assembled by {@link TaskViews}.
 *
 * <p>Idempotent and replay-safe: rows are keyed by task id (children by their own ids); every change of a task
 * carries the global position of its event and applies only while the task row's {@code position} is lower, so a
 * redelivered event changes nothing; child rows are written only when that guard applied (and are insert-if-absent
 * besides). A reset empties every table of the projection.
 *
 * <p>After each change the task's view is emitted to the subscribers of its {@link FindTaskQuery}; when a task's
 * status changes, also to the subscribers of the tasks that depend on it (their {@code dependencies} changed).
 */
@Component
@ProcessingGroup(TaskProjection.GROUP)
public class TaskProjection {

    public static final String GROUP = "tasks";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final QueryUpdateEmitter updates;
    private final TaskViews views;

    public TaskProjection(JdbcTemplate jdbc, ObjectMapper json, QueryUpdateEmitter updates, TaskViews views) {
        this.jdbc = jdbc;
        this.json = json;
        this.updates = updates;
        this.views = views;
    }

    @EventHandler
    void on(TaskCreatedEvent event, TrackingToken token) {
        long position = position(token);
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
        // the row decides whether the event was applied; leftovers of a removed row are replaced
        jdbc.update("DELETE FROM task_dependencies WHERE task_id = ?", event.taskId());
        jdbc.update("DELETE FROM task_capabilities WHERE task_id = ?", event.taskId());
        List<Object[]> dependencies = new ArrayList<>();
        for (String dependency : new LinkedHashSet<>(event.dependsOn())) {
            dependencies.add(new Object[]{event.taskId(), dependency, event.orgId(), dependencies.size()});
        }
        if (!dependencies.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO task_dependencies (task_id, depends_on_id, org_id, ordinal) VALUES (?, ?, ?, ?)",
                    dependencies);
        }
        List<Object[]> capabilities = new LinkedHashSet<>(event.requiredCapabilities()).stream()
                .map(capability -> new Object[]{event.taskId(), capability}).toList();
        if (!capabilities.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO task_capabilities (task_id, capability) VALUES (?, ?)", capabilities);
        }
        emit(event.orgId(), event.taskId());
        emitDependents(event.orgId(), event.taskId());
    }

    @EventHandler
    void on(TaskClaimedEvent event, TrackingToken token) {
        int applied = update(event.orgId(), event.taskId(), position(token), event.claimedAt(),
                "status = ?, phase = ?, claimed_by = ?, lease_expires_at = ?, token_generation = ?",
                TaskStatus.CLAIMED.wire(), event.phase(), event.agentId(), Timestamp.from(event.leaseExpiresAt()),
                event.tokenGeneration());
        emitStatusChange(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(TaskLeaseRenewedEvent event, TrackingToken token) {
        int applied = update(event.orgId(), event.taskId(), position(token), event.renewedAt(),
                "lease_expires_at = ?", Timestamp.from(event.leaseExpiresAt()));
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
        int applied = update(orgId, taskId, position(token), at,
                "status = ?, claimed_by = NULL, lease_expires_at = NULL", TaskStatus.CREATED.wire());
        emitStatusChange(applied, orgId, taskId);
    }

    /** A new phase with a new token; the blockers of an earlier rejection no longer apply. */
    @EventHandler
    void on(TaskTransitionedEvent event, TrackingToken token) {
        int applied = update(event.orgId(), event.taskId(), position(token), event.transitionedAt(),
                "phase = ?, token_generation = ?, blockers = NULL", event.toPhase(), event.tokenGeneration());
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    /** A refused transition leaves phase and token as they were; its blockers are kept until a transition succeeds. */
    @EventHandler
    void on(TaskTransitionRejectedEvent event, TrackingToken token) {
        int applied = update(event.orgId(), event.taskId(), position(token), event.rejectedAt(), "blockers = ?",
                json.writeValueAsString(event.blockers() == null ? List.of() : event.blockers()));
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    /** Only the generation changes (a credential detail, not shown): {@code updated_at} stays. */
    @EventHandler
    void on(PhaseTokenRefreshedEvent event, TrackingToken token) {
        long position = position(token);
        int applied = jdbc.update("""
                        UPDATE tasks SET token_generation = ?, position = ?
                        WHERE task_id = ? AND org_id = ? AND position < ?""",
                event.tokenGeneration(), position, event.taskId(), event.orgId(), position);
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(TaskCompletedEvent event, TrackingToken token) {
        int applied = update(event.orgId(), event.taskId(), position(token), event.completedAt(),
                "status = ?, phase = ?, claimed_by = NULL, lease_expires_at = NULL, completed_at = ?",
                TaskStatus.COMPLETED.wire(), event.phase(), Timestamp.from(event.completedAt()));
        emitStatusChange(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(TaskCancelledEvent event, TrackingToken token) {
        int applied = update(event.orgId(), event.taskId(), position(token), event.cancelledAt(),
                "status = ?, claimed_by = NULL, lease_expires_at = NULL, cancelled_at = ?",
                TaskStatus.CANCELLED.wire(), Timestamp.from(event.cancelledAt()));
        emitStatusChange(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(ReviewsRequestedEvent event, TrackingToken token) {
        long position = position(token);
        int applied = update(event.orgId(), event.taskId(), position, event.requestedAt(), null);
        if (applied > 0) {
            insertIfAbsent("SELECT COUNT(*) FROM task_review_rounds WHERE task_id = ? AND round = ?",
                    new Object[]{event.taskId(), event.round()}, """
                            INSERT INTO task_review_rounds (task_id, round, org_id, phase, requested_count, role,
                                                            requested_at, position)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    event.taskId(), event.round(), event.orgId(), event.phase(), event.count(), event.role(),
                    Timestamp.from(event.requestedAt()), position);
        }
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(ReviewSubmittedEvent event, TrackingToken token) {
        long position = position(token);
        int applied = update(event.orgId(), event.taskId(), position, event.submittedAt(), null);
        if (applied > 0) {
            insertIfAbsent("SELECT COUNT(*) FROM task_reviews WHERE review_id = ?", new Object[]{event.reviewId()},
                    """
                            INSERT INTO task_reviews (review_id, task_id, org_id, round, phase, reviewer_id, verdict,
                                                      comments, submitted_at, position)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    event.reviewId(), event.taskId(), event.orgId(), event.round(), event.phase(),
                    event.reviewerId(), event.verdict(), event.comments(), Timestamp.from(event.submittedAt()),
                    position);
        }
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(ToolApprovalRequestedEvent event, TrackingToken token) {
        long position = position(token);
        int applied = update(event.orgId(), event.taskId(), position, event.requestedAt(), null);
        if (applied > 0) {
            insertIfAbsent("SELECT COUNT(*) FROM tool_approvals WHERE approval_id = ?",
                    new Object[]{event.approvalId()}, """
                            INSERT INTO tool_approvals (approval_id, task_id, org_id, agent_id, phase, call_id,
                                                        tool_name, args_digest, args_summary, status, requested_at,
                                                        position)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    event.approvalId(), event.taskId(), event.orgId(), event.agentId(), event.phase(),
                    event.callId(), event.toolName(), event.argsDigest(),
                    json.writeValueAsString(event.argsSummary() == null ? Map.of() : event.argsSummary()),
                    ToolApprovalView.PENDING, Timestamp.from(event.requestedAt()), position);
        }
        emitIfApplied(applied, event.orgId(), event.taskId());
    }

    @EventHandler
    void on(ToolApprovalGrantedEvent event, TrackingToken token) {
        decide(event.orgId(), event.taskId(), event.approvalId(), ToolApprovalView.GRANTED, event.grantedBy(),
                event.comment(), event.grantedAt(), position(token));
    }

    @EventHandler
    void on(ToolApprovalDeniedEvent event, TrackingToken token) {
        decide(event.orgId(), event.taskId(), event.approvalId(), ToolApprovalView.DENIED, event.deniedBy(),
                event.comment(), event.deniedAt(), position(token));
    }

    private void decide(String orgId, String taskId, String approvalId, String status, String by, String comment,
                        Instant at, long position) {
        int applied = update(orgId, taskId, position, at, null);
        if (applied > 0) {
            jdbc.update("""
                            UPDATE tool_approvals SET status = ?, decided_by = ?, comment = ?, decided_at = ?,
                                                      position = ?
                            WHERE approval_id = ? AND task_id = ? AND position < ?""",
                    status, by, comment, Timestamp.from(at), position, approvalId, taskId, position);
        }
        emitIfApplied(applied, orgId, taskId);
    }

    @ResetHandler
    void reset() {
        for (String table : List.of("tool_approvals", "task_reviews", "task_review_rounds", "task_capabilities",
                "task_dependencies", "tasks")) {
            jdbc.update("DELETE FROM " + table);
        }
    }

    /**
     * Applies an event to the task row: sets {@code columns} (may be null for none), {@code updated_at} and
     * {@code position}, unless the row has already seen this position. Returns the number of rows changed.
     */
    private int update(String orgId, String taskId, long position, Instant at, String columns, Object... values) {
        List<Object> args = new ArrayList<>(List.of(values));
        args.add(Timestamp.from(at));
        args.add(position);
        args.add(taskId);
        args.add(orgId);
        args.add(position);
        return jdbc.update("UPDATE tasks SET " + (columns == null ? "" : columns + ", ")
                + "updated_at = ?, position = ? WHERE task_id = ? AND org_id = ? AND position < ?", args.toArray());
    }

    private void insertIfAbsent(String countSql, Object[] key, String insertSql, Object... values) {
        Integer existing = jdbc.queryForObject(countSql, Integer.class, key);
        if (existing == null || existing == 0) {
            jdbc.update(insertSql, values);
        }
    }

    private void emitStatusChange(int applied, String orgId, String taskId) {
        if (applied > 0) {
            emit(orgId, taskId);
            emitDependents(orgId, taskId);
        }
    }

    /** Emits the row as it is now to subscribers of the task, unless the event was already applied (redelivery). */
    private void emitIfApplied(int applied, String orgId, String taskId) {
        if (applied > 0) {
            emit(orgId, taskId);
        }
    }

    private void emit(String orgId, String taskId) {
        if (!subscribed(orgId, taskId)) {
            return; // nobody watches: do not assemble the view (keeps replays fast)
        }
        views.find(orgId, taskId).ifPresent(view -> updates.emit(FindTaskQuery.class,
                q -> q.taskId().equals(view.taskId()) && q.orgId().equals(view.orgId()), view));
    }

    private void emitDependents(String orgId, String taskId) {
        if (updates instanceof SimpleQueryUpdateEmitter && updates.activeSubscriptions().isEmpty()) {
            return;
        }
        for (String dependent : jdbc.queryForList(
                "SELECT task_id FROM task_dependencies WHERE depends_on_id = ? AND org_id = ?", String.class,
                taskId, orgId)) {
            emit(orgId, dependent);
        }
    }

    private boolean subscribed(String orgId, String taskId) {
        if (!(updates instanceof SimpleQueryUpdateEmitter)) {
            return true; // cannot tell: emit
        }
        return updates.activeSubscriptions().stream().anyMatch(m -> m.getPayload() instanceof FindTaskQuery q
                && taskId.equals(q.taskId()) && orgId.equals(q.orgId()));
    }

    private static long position(TrackingToken token) {
        return token.position().orElse(0L);
    }
}
