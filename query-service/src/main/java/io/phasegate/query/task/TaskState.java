package io.phasegate.query.task;

import io.phasegate.events.task.TransitionBlocker;
import java.time.Instant;
import java.util.List;

/**
 * The main fields of a task as {@link TaskFold} computes them from the task's events: the columns of a {@code tasks}
 * row. The first group is fixed by {@code TaskCreatedEvent}; the second changes with the task's later events.
 *
 * @param createdPosition the global position of the task's {@code TaskCreatedEvent}
 * @param tokenGeneration the generation of the task's current phase token (0 before the first claim)
 * @param blockers        the blockers of the last rejected transition, or {@code null} when there is none (never
 *                        rejected, or a transition succeeded since); an empty list for a rejection without blockers
 * @param updatedAt       the time of the last event that changed the task's visible state (a token refresh does not)
 * @param position        the global position of the last event folded into this state
 */
public record TaskState(
        String taskId,
        String orgId,
        String projectId,
        String title,
        String description,
        String workflowId,
        int workflowVersion,
        List<String> dependsOn,
        List<String> requiredCapabilities,
        int priority,
        String createdBy,
        Instant createdAt,
        long createdPosition,
        String status,
        String phase,
        String claimedBy,
        Instant leaseExpiresAt,
        long tokenGeneration,
        List<TransitionBlocker> blockers,
        Instant completedAt,
        Instant cancelledAt,
        Instant updatedAt,
        long position) {

    public TaskState {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requiredCapabilities = requiredCapabilities == null ? List.of() : List.copyOf(requiredCapabilities);
        blockers = blockers == null ? null : List.copyOf(blockers);
    }

    /** This task with new values of the fields that change after creation. */
    TaskState next(String status, String phase, String claimedBy, Instant leaseExpiresAt, long tokenGeneration,
                   List<TransitionBlocker> blockers, Instant completedAt, Instant cancelledAt, Instant updatedAt,
                   long position) {
        return new TaskState(taskId, orgId, projectId, title, description, workflowId, workflowVersion, dependsOn,
                requiredCapabilities, priority, createdBy, createdAt, createdPosition, status, phase, claimedBy,
                leaseExpiresAt, tokenGeneration, blockers, completedAt, cancelledAt, updatedAt, position);
    }
}
