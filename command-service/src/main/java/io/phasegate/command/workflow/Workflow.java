package io.phasegate.command.workflow;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.phasegate.events.workflow.PublishWorkflowCommand;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.platform.axon.Rejections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/** A workflow of one organisation and all its published versions. */
@Aggregate
class Workflow {

    @AggregateIdentifier
    private String workflowKey;
    private String orgId;
    private String workflowId;
    private final NavigableMap<Integer, WorkflowDefinition> versions = new TreeMap<>();

    Workflow() {
        // for Axon
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(PublishWorkflowCommand command) {
        WorkflowDefinition definition = command.definition();
        if (!command.workflowKey().equals(WorkflowKeys.of(command.orgId(), definition.id()))) {
            throw Rejections.command("workflow_key_mismatch", 400,
                    "The workflow key does not name workflow '" + definition.id() + "' of this organisation.");
        }
        if (!versions.isEmpty() && definition.version() <= versions.lastKey()) {
            throw Rejections.command("workflow_version_not_higher", 409,
                    "Workflow '" + definition.id() + "' is at version " + versions.lastKey()
                            + "; a new publication needs a higher version than that, not " + definition.version() + ".",
                    Map.of("current_version", versions.lastKey()));
        }
        apply(new WorkflowPublishedEvent(command.workflowKey(), command.orgId(), definition.id(),
                definition.version(), definition, command.source(), command.publishedBy(),
                GenericEventMessage.clock.instant()));
    }

    @EventSourcingHandler
    void on(WorkflowPublishedEvent event) {
        workflowKey = event.workflowKey();
        orgId = event.orgId();
        workflowId = event.workflowId();
        versions.put(event.version(), event.definition());
    }

    /** The given version, or the latest when {@code version} is {@code null}. */
    Optional<WorkflowDefinition> definition(Integer version) {
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(version == null ? versions.lastEntry().getValue() : versions.get(version));
    }

    String orgId() {
        return orgId;
    }
}
