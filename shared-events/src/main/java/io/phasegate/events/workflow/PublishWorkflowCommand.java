package io.phasegate.events.workflow;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Publishes a (new version of a) workflow definition for an organisation.
 *
 * @param workflowKey aggregate identifier: {@link WorkflowKeys#of(String, String)}
 * @param orgId       owning organisation
 * @param definition  the validated definition
 * @param source      the document as submitted (YAML or JSON), kept for auditors
 * @param publishedBy subject of the caller
 */
public record PublishWorkflowCommand(
        @TargetAggregateIdentifier String workflowKey,
        String orgId,
        WorkflowDefinition definition,
        String source,
        String publishedBy) {
}
