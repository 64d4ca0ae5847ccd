package io.phasegate.events.task;

/** Every review round of a task of an organisation; empty (not found) for another organisation's task. */
public record FindTaskReviewsQuery(String orgId, String taskId) {
}
