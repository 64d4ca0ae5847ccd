package io.phasegate.events.workflow;

/**
 * Finds a workflow of an organisation.
 *
 * @param version a specific version, or {@code null} for the latest
 */
public record FindWorkflowQuery(String orgId, String workflowId, Integer version) {
}
