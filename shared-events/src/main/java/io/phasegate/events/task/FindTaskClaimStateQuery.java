package io.phasegate.events.task;

/**
 * Internal (never answered to a client as such): the claim state of a task by id alone, to check a phase token
 * against it. The token names the task but not its organisation; the organisation is the task's.
 */
public record FindTaskClaimStateQuery(String taskId) {
}
