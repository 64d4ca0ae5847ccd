package io.phasegate.events.task;

/** Finds one task of an organisation; another organisation's task is not found. */
public record FindTaskQuery(String orgId, String taskId) {
}
