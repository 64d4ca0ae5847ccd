package io.phasegate.events.workflow;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A workflow version was published; carries the whole definition. */
@Revision("1")
public record WorkflowPublishedEvent(
        String workflowKey,
        String orgId,
        String workflowId,
        int version,
        WorkflowDefinition definition,
        String source,
        String publishedBy,
        Instant publishedAt) {
}
