package io.phasegate.command.workflow;

import io.phasegate.events.workflow.WorkflowDefinition;
import java.util.Optional;

/** Command-side access to published workflow definitions, for handlers of other aggregates. */
public interface WorkflowCatalog {

    /**
     * @param version a specific version, or {@code null} for the latest
     * @return the definition, or empty when the organisation has no such workflow (version)
     */
    Optional<WorkflowDefinition> find(String orgId, String workflowId, Integer version);
}
