package io.phasegate.events.task;

import java.time.Instant;
import java.util.List;

/**
 * Query result: the snapshot of a task as the task projection holds it. {@code claimedBy} and
 * {@code leaseExpiresAt} are null while the task is not claimed.
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
        long position) {
}
