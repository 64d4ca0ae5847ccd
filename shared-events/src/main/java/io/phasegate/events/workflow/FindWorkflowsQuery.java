package io.phasegate.events.workflow;

/** Lists the workflows (latest version each) of an organisation. */
public record FindWorkflowsQuery(String orgId) {
}
