package io.phasegate.query.task;

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
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The single definition of how events change a task's main fields ({@link TaskState}): status, phase, claimant,
 * lease, token generation, blockers of the last rejected transition, completion, cancellation, {@code updated_at}
 * and the position of the last applied event. Pure: no storage, no clock.
 *
 * <p>Used by {@link TaskProjection} to compute the {@code tasks} row it writes, and by the history's as-of
 * reconstruction, which folds a task's stored events up to a past position or time. Both therefore agree by
 * construction.
 *
 * <p>Rules shared with the projection's idempotency: an event applies only to an existing task of the same id and
 * organisation and only when its position is above the state's {@code position} (a redelivered or older event
 * changes nothing); a second {@code TaskCreatedEvent} for an existing task changes nothing. When nothing changes,
 * {@link #apply} returns the very same instance, so callers can tell with {@code ==}.
 */
public final class TaskFold {

    /** The event types that can change a task's state; other events never do. */
    public static final Set<Class<?>> EVENT_TYPES = Set.of(TaskCreatedEvent.class, TaskClaimedEvent.class,
            TaskLeaseRenewedEvent.class, TaskReleasedEvent.class, TaskClaimExpiredEvent.class,
            TaskTransitionedEvent.class, TaskTransitionRejectedEvent.class, PhaseTokenRefreshedEvent.class,
            TaskCompletedEvent.class, TaskCancelledEvent.class, ReviewsRequestedEvent.class,
            ReviewSubmittedEvent.class, ToolApprovalRequestedEvent.class, ToolApprovalGrantedEvent.class,
            ToolApprovalDeniedEvent.class);

    private TaskFold() {
    }

    /**
     * The task's state after {@code event}, stored at global {@code position}, is applied to {@code state} (null:
     * the task does not exist yet). Returns {@code state} itself when the event does not change it.
     */
    public static TaskState apply(TaskState state, Object event, long position) {
        if (event instanceof TaskCreatedEvent e) {
            return state != null ? state : created(e, position);
        }
        if (state == null || position <= state.position()) {
            return state;
        }
        String created = TaskStatus.CREATED.wire();
        if (event instanceof TaskClaimedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(TaskStatus.CLAIMED.wire(), e.phase(),
                    e.agentId(), e.leaseExpiresAt(), e.tokenGeneration(), state.blockers(), state.completedAt(),
                    state.cancelledAt(), e.claimedAt(), position);
        }
        if (event instanceof TaskLeaseRenewedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(state.status(), state.phase(),
                    state.claimedBy(), e.leaseExpiresAt(), state.tokenGeneration(), state.blockers(),
                    state.completedAt(), state.cancelledAt(), e.renewedAt(), position);
        }
        // released or expired: claimable again; the token generation is kept (it only ever grows)
        if (event instanceof TaskReleasedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : unclaimed(state, created, e.releasedAt(), position);
        }
        if (event instanceof TaskClaimExpiredEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : unclaimed(state, created, e.expiredAt(), position);
        }
        // a new phase with a new token; the blockers of an earlier rejection no longer apply
        if (event instanceof TaskTransitionedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(state.status(), e.toPhase(),
                    state.claimedBy(), state.leaseExpiresAt(), e.tokenGeneration(), null, state.completedAt(),
                    state.cancelledAt(), e.transitionedAt(), position);
        }
        // a refused transition leaves phase and token as they were; its blockers stay until a transition succeeds
        if (event instanceof TaskTransitionRejectedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(state.status(), state.phase(),
                    state.claimedBy(), state.leaseExpiresAt(), state.tokenGeneration(),
                    e.blockers() == null ? List.of() : e.blockers(), state.completedAt(), state.cancelledAt(),
                    e.rejectedAt(), position);
        }
        // only the generation changes (a credential detail): updated_at stays
        if (event instanceof PhaseTokenRefreshedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(state.status(), state.phase(),
                    state.claimedBy(), state.leaseExpiresAt(), e.tokenGeneration(), state.blockers(),
                    state.completedAt(), state.cancelledAt(), state.updatedAt(), position);
        }
        if (event instanceof TaskCompletedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(TaskStatus.COMPLETED.wire(), e.phase(),
                    null, null, state.tokenGeneration(), state.blockers(), e.completedAt(), state.cancelledAt(),
                    e.completedAt(), position);
        }
        if (event instanceof TaskCancelledEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : state.next(TaskStatus.CANCELLED.wire(),
                    state.phase(), null, null, state.tokenGeneration(), state.blockers(), state.completedAt(),
                    e.cancelledAt(), e.cancelledAt(), position);
        }
        // reviews and approvals live in child tables; on the task they only move updated_at and the position
        if (event instanceof ReviewsRequestedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : touched(state, e.requestedAt(), position);
        }
        if (event instanceof ReviewSubmittedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : touched(state, e.submittedAt(), position);
        }
        if (event instanceof ToolApprovalRequestedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : touched(state, e.requestedAt(), position);
        }
        if (event instanceof ToolApprovalGrantedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : touched(state, e.grantedAt(), position);
        }
        if (event instanceof ToolApprovalDeniedEvent e) {
            return !of(state, e.taskId(), e.orgId()) ? state : touched(state, e.deniedAt(), position);
        }
        return state;
    }

    private static TaskState created(TaskCreatedEvent e, long position) {
        return new TaskState(e.taskId(), e.orgId(), e.projectId(), e.title(), e.description(), e.workflowId(),
                e.workflowVersion(), e.dependsOn(), e.requiredCapabilities(), e.priority(), e.createdBy(),
                e.createdAt(), position, TaskStatus.CREATED.wire(), e.phase(), null, null, 0, null, null, null,
                e.createdAt(), position);
    }

    private static TaskState unclaimed(TaskState state, String status, Instant at, long position) {
        return state.next(status, state.phase(), null, null, state.tokenGeneration(), state.blockers(),
                state.completedAt(), state.cancelledAt(), at, position);
    }

    private static TaskState touched(TaskState state, Instant at, long position) {
        return state.next(state.status(), state.phase(), state.claimedBy(), state.leaseExpiresAt(),
                state.tokenGeneration(), state.blockers(), state.completedAt(), state.cancelledAt(), at, position);
    }

    /** Whether an event of task {@code taskId} of organisation {@code orgId} is one of this task's. */
    private static boolean of(TaskState state, String taskId, String orgId) {
        return state.taskId().equals(taskId) && state.orgId().equals(orgId);
    }
}
