package io.phasegate.events.task;

import io.phasegate.events.tool.ToolApprovalView;
import java.time.Instant;
import java.util.List;

/**
 * Query result: the snapshot of a task as the task projection holds it. {@code claimedBy} and
 * {@code leaseExpiresAt} are null while the task is not claimed. The task's token generation is deliberately not
 * part of it (see {@link TaskClaimStateView}).
 *
 * @param blockers         the blockers of the last rejected transition; empty once a transition succeeded
 * @param reviews          the latest review round (requested count, role, submitted reviews), or {@code null} when
 *                         no review was ever requested
 * @param allowedTools     the tools of the current phase's policy (from the workflow version the task follows);
 *                         empty while the workflow is unknown to the query side and once the task is completed or
 *                         cancelled
 * @param dependencies     the tasks this one depends on, in declaration order, with their current title and status
 *                         ({@code unknown} and no title for a task the query side does not know)
 * @param pendingApprovals tool approvals that wait for a human decision, oldest first
 * @param completedAt      when the task was completed, or {@code null}
 * @param cancelledAt      when the task was cancelled, or {@code null}
 */
public record TaskView(
        String taskId,
        String orgId,
        String projectId,
        String title,
        String description,
        String status,
        String phase,
        String claimedBy,
        Instant leaseExpiresAt,
        String workflowId,
        int workflowVersion,
        List<String> dependsOn,
        List<String> requiredCapabilities,
        int priority,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        long position,
        List<TransitionBlocker> blockers,
        ReviewRoundView reviews,
        List<AllowedToolView> allowedTools,
        List<TaskDependencyView> dependencies,
        List<ToolApprovalView> pendingApprovals,
        Instant completedAt,
        Instant cancelledAt) {

    public TaskView {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requiredCapabilities = requiredCapabilities == null ? List.of() : List.copyOf(requiredCapabilities);
        blockers = blockers == null ? List.of() : List.copyOf(blockers);
        allowedTools = allowedTools == null ? List.of() : List.copyOf(allowedTools);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        pendingApprovals = pendingApprovals == null ? List.of() : List.copyOf(pendingApprovals);
    }
}
