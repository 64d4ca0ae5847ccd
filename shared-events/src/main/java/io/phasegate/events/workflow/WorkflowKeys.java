package io.phasegate.events.workflow;

/** Workflows are owned by an organisation; their aggregate identifier combines both ids. */
public final class WorkflowKeys {
    private WorkflowKeys() {
    }

    public static String of(String orgId, String workflowId) {
        return orgId + "/" + workflowId;
    }
}
