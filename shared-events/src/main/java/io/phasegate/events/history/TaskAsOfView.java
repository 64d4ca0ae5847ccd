package io.phasegate.events.history;

import io.phasegate.events.task.TransitionBlocker;
import java.time.Instant;
import java.util.List;

/**
 * Query result: a task's main fields as they were at a past position or time, reconstructed by folding the task's
 * stored events with the same fold the task projection uses (so at any position it equals what the projection held
 * after that position). Unlike the live task snapshot it carries the token generation (no credential: the token
 * itself never is in an event) and none of the read models joined from elsewhere (dependency status, reviews,
 * approvals, allowed tools).
 *
 * @param blockers       the blockers of the last rejected transition; empty once a transition succeeded
 * @param position       the global position of the last event folded in (the task's version at that point)
 * @param asOfPosition   the position asked for, or {@code null}
 * @param asOfTime       the time asked for, or {@code null}
 * @param eventsApplied  how many of the task's events changed the state up to that point
 */
public record TaskAsOfView(
        String taskId,
        String orgId,
        String projectId,
        String title,
        String description,
        String status,
        String phase,
        String claimedBy,
        Instant leaseExpiresAt,
        long tokenGeneration,
        String workflowId,
        int workflowVersion,
        List<String> dependsOn,
        List<String> requiredCapabilities,
        int priority,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        List<TransitionBlocker> blockers,
        Instant completedAt,
        Instant cancelledAt,
        long createdPosition,
        long position,
        Long asOfPosition,
        Instant asOfTime,
        int eventsApplied) {

    public TaskAsOfView {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requiredCapabilities = requiredCapabilities == null ? List.of() : List.copyOf(requiredCapabilities);
        blockers = blockers == null ? List.of() : List.copyOf(blockers);
    }
}
