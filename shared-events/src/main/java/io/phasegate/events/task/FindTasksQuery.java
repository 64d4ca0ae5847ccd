package io.phasegate.events.task;

/**
 * Lists an organisation's tasks, newest first, with optional filters.
 *
 * @param after  cursor: the {@code task_id} of the last task of the previous page, or {@code null}
 * @param limit  page size (1..200)
 */
public record FindTasksQuery(String orgId, String projectId, String status, String workflowId,
                             String after, int limit) {
}
