package io.phasegate.events.workflow;

import java.time.Instant;

/** Query result: one published workflow version. */
public record WorkflowView(String orgId, String workflowId, int version, String enforcement,
                           WorkflowDefinition definition, String publishedBy, Instant publishedAt, long position) {
}
