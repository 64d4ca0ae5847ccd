package io.phasegate.command.workflow;

import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/** Reads definitions from the event-sourced {@link Workflow} aggregate (the write model, not a projection). */
@Component
class RepositoryWorkflowCatalog implements WorkflowCatalog {

    private final Repository<Workflow> workflows;
    private final EventStore events;

    RepositoryWorkflowCatalog(@Lazy Repository<Workflow> workflows, EventStore events) {
        this.workflows = workflows;
        this.events = events;
    }

    @Override
    public Optional<WorkflowDefinition> find(String orgId, String workflowId, Integer version) {
        String key = WorkflowKeys.of(orgId, workflowId);
        if (events.lastSequenceNumberFor(key).isEmpty()) {
            return Optional.empty(); // cheap check first: loading a missing aggregate throws (and logs)
        }
        AtomicReference<Optional<WorkflowDefinition>> found = new AtomicReference<>(Optional.empty());
        try {
            workflows.load(key).execute(workflow -> {
                if (orgId.equals(workflow.orgId())) {
                    found.set(workflow.definition(version));
                }
            });
        } catch (AggregateNotFoundException e) {
            return Optional.empty();
        }
        return found.get();
    }
}
