package io.phasegate.events.tool;

/**
 * The tool approvals of a task of an organisation, optionally only those of one {@code status}
 * ({@code pending}, {@code granted}, {@code denied}); empty (not found) for another organisation's task.
 */
public record FindTaskApprovalsQuery(String orgId, String taskId, String status) {
}
