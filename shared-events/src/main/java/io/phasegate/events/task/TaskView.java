package io.phasegate.events.task;

import java.time.Instant;
import java.util.List;

/** Query result: the snapshot of a task as the task projection holds it. */
public record TaskView(
        String taskId,
        String orgId,
        String projectId,
        String title,
        String description,
        String status,
        String phase,
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
