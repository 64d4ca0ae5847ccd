package io.phasegate.query.task;

import io.phasegate.platform.axon.EventStorePositions;
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
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.tool.ToolApprovalDeniedEvent;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolApprovalView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
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
 * <p>A task's row is what {@link TaskFold} computes from the task's events: each event is folded into the task's
 * current state and the result is the row written. The history's as-of reconstruction folds the stored events with
 * the same function, so both agree by construction. Writes are held back until the processor's batch commits and
 * then made together ({@link TaskWriteBatch}).
 *
 * <p>Idempotent and replay-safe: rows are keyed by task id (children by their own ids); every change of a task
 * carries the global position of its event and applies only while the task's {@code position} is lower, so a
 * redelivered event changes nothing; child rows are written only when that guard applied (and are insert-if-absent
 * besides). A reset empties every table of the projection.
 *
 * <p>After each change the task's view is emitted to the subscribers of its {@link FindTaskQuery}; when a task's
 * status changes, also to the subscribers of the tasks that depend on it (their {@code dependencies} changed).
 * Nothing is emitted while the processor replays (a rebuild): the rows are rebuilt to the state the subscribers
 * already hold, and the intermediate states would take them back in time. Events appended during the rebuild,
 * past the replay's end, are emitted as usual.
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
        // a task that exists is not created again
        statusChange(event.orgId(), event.taskId(), event, token);
    }

    @EventHandler
    void on(TaskClaimedEvent event, TrackingToken token) {
        statusChange(event.orgId(), event.taskId(), event, token);
    }

    @EventHandler
    void on(TaskLeaseRenewedEvent event, TrackingToken token) {
        change(event.orgId(), event.taskId(), event, token);
    }

    /** Released or expired: the task is claimable again. The token generation is kept (it only ever grows). */
    @EventHandler
    void on(TaskReleasedEvent event, TrackingToken token) {
        statusChange(event.orgId(), event.taskId(), event, token);
    }

    @EventHandler
    void on(TaskClaimExpiredEvent event, TrackingToken token) {
        statusChange(event.orgId(), event.taskId(), event, token);
    }

    /** A new phase with a new token; the blockers of an earlier rejection no longer apply. */
    @EventHandler
    void on(TaskTransitionedEvent event, TrackingToken token) {
        change(event.orgId(), event.taskId(), event, token);
    }

    /** A refused transition leaves phase and token as they were; its blockers are kept until a transition succeeds. */
    @EventHandler
    void on(TaskTransitionRejectedEvent event, TrackingToken token) {
        change(event.orgId(), event.taskId(), event, token);
    }

    /** Only the generation changes (a credential detail, not shown): {@code updated_at} stays. */
    @EventHandler
    void on(PhaseTokenRefreshedEvent event, TrackingToken token) {
        change(event.orgId(), event.taskId(), event, token);
    }

    @EventHandler
    void on(TaskCompletedEvent event, TrackingToken token) {
        statusChange(event.orgId(), event.taskId(), event, token);
    }

    @EventHandler
    void on(TaskCancelledEvent event, TrackingToken token) {
        statusChange(event.orgId(), event.taskId(), event, token);
    }

    @EventHandler
    void on(ReviewsRequestedEvent event, TrackingToken token) {
        TaskWriteBatch rows = rows();
        if (apply(rows, event.taskId(), event, token)) {
            rows.insertReviewRoundIfAbsent(event.taskId(), event.round(), event.orgId(), event.phase(), event.count(),
                    event.role(), TaskWriteBatch.timestamp(event.requestedAt()), position(token));
            emit(event.orgId(), event.taskId());
        }
    }

    @EventHandler
    void on(ReviewSubmittedEvent event, TrackingToken token) {
        TaskWriteBatch rows = rows();
        if (apply(rows, event.taskId(), event, token)) {
            rows.insertReviewIfAbsent(event.reviewId(), event.taskId(), event.orgId(), event.round(), event.phase(),
                    event.reviewerId(), event.verdict(), event.comments(),
                    TaskWriteBatch.timestamp(event.submittedAt()), position(token));
            emit(event.orgId(), event.taskId());
        }
    }

    @EventHandler
    void on(ToolApprovalRequestedEvent event, TrackingToken token) {
        TaskWriteBatch rows = rows();
        if (apply(rows, event.taskId(), event, token)) {
            rows.insertApprovalIfAbsent(event.approvalId(), event.taskId(), event.orgId(), event.agentId(),
                    event.phase(), event.callId(), event.toolName(), event.argsDigest(),
                    json.writeValueAsString(event.argsSummary() == null ? Map.of() : event.argsSummary()),
                    ToolApprovalView.PENDING, TaskWriteBatch.timestamp(event.requestedAt()), position(token));
            emit(event.orgId(), event.taskId());
        }
    }

    @EventHandler
    void on(ToolApprovalGrantedEvent event, TrackingToken token) {
        decide(event.orgId(), event.taskId(), event.approvalId(), ToolApprovalView.GRANTED, event.grantedBy(),
                event.comment(), event.grantedAt(), event, token);
    }

    @EventHandler
    void on(ToolApprovalDeniedEvent event, TrackingToken token) {
        decide(event.orgId(), event.taskId(), event.approvalId(), ToolApprovalView.DENIED, event.deniedBy(),
                event.comment(), event.deniedAt(), event, token);
    }

    private void decide(String orgId, String taskId, String approvalId, String status, String by, String comment,
                        Instant at, Object event, TrackingToken token) {
        TaskWriteBatch rows = rows();
        if (apply(rows, taskId, event, token)) {
            long position = position(token);
            rows.decideApproval(status, by, comment, TaskWriteBatch.timestamp(at), position, approvalId, taskId,
                    position);
            emit(orgId, taskId);
        }
    }

    @ResetHandler
    void reset() {
        for (String table : List.of("tool_approvals", "task_reviews", "task_review_rounds", "task_capabilities",
                "task_dependencies", "tasks")) {
            jdbc.update("DELETE FROM " + table);
        }
    }

    /**
     * Folds the event into the task's state ({@link TaskFold}) and, when that changed it, records the task's new row.
     * Returns whether the event applied (false for an event already applied, or one of an unknown task).
     */
    private boolean apply(TaskWriteBatch rows, String taskId, Object event, TrackingToken token) {
        TaskState before = rows.state(taskId);
        TaskState after = TaskFold.apply(before, event, position(token));
        if (after == before) {
            return false;
        }
        rows.write(before, after);
        return true;
    }

    /** An event that changes the task's row only. */
    private void change(String orgId, String taskId, Object event, TrackingToken token) {
        if (apply(rows(), taskId, event, token)) {
            emit(orgId, taskId);
        }
    }

    /**
     * An event that changes the task's status (or creates it), which the views of the tasks depending on it show.
     */
    private void statusChange(String orgId, String taskId, Object event, TrackingToken token) {
        if (apply(rows(), taskId, event, token)) {
            emitStatusChange(orgId, taskId);
        }
    }

    private TaskWriteBatch rows() {
        return TaskWriteBatch.current(jdbc, json, views);
    }

    private void emitStatusChange(String orgId, String taskId) {
        emit(orgId, taskId);
        emitDependents(orgId, taskId);
    }

    /**
     * Emits the row as it is now to subscribers of the task. Not during a replay (a rebuild): the subscribers hold
     * the state the rebuild arrives at again, and intermediate states would take them back in time.
     */
    private void emit(String orgId, String taskId) {
        if (replaying() || !subscribed(orgId, taskId)) {
            return; // nobody watches: do not assemble the view (keeps replays fast)
        }
        rows().flush();
        views.find(orgId, taskId).ifPresent(view -> updates.emit(FindTaskQuery.class,
                q -> q.taskId().equals(view.taskId()) && q.orgId().equals(view.orgId()), view));
    }

    private void emitDependents(String orgId, String taskId) {
        if (replaying() || updates instanceof SimpleQueryUpdateEmitter && updates.activeSubscriptions().isEmpty()) {
            return;
        }
        rows().flush();
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

    /**
     * Whether the event being handled is replayed (a reset processor that has not yet passed the position it had
     * when reset). The handlers' {@code TrackingToken} parameter is unwrapped by Axon, so the message's own token
     * tells.
     */
    private static boolean replaying() {
        return CurrentUnitOfWork.isStarted() && ReplayToken.isReplay(CurrentUnitOfWork.get().getMessage());
    }

    private static long position(TrackingToken token) {
        return EventStorePositions.position(token).orElse(0L);
    }
}
