package io.phasegate.events.task;

/** The gate and tool metrics of a workflow (all versions) of an organisation; answers an optional {@link WorkflowMetricsView}. */
public record FindWorkflowMetricsQuery(String orgId, String workflowId) {
}
