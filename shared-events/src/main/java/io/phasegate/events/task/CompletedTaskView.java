package io.phasegate.events.task;

import java.time.Instant;

/** A completed task, as listed in the agent state snapshot's {@code completed_tasks}. */
public record CompletedTaskView(String taskId, String title, Instant completedAt) {
}
