package io.phasegate.command.task;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.phasegate.command.workflow.WorkflowCatalog;
import io.phasegate.events.task.CreateTaskCommand;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.platform.axon.Rejections;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/** A unit of agent work that follows one workflow version through its phases (SPEC §2.2). */
@Aggregate
class Task {

    @AggregateIdentifier
    private String taskId;
    private String orgId;
    private TaskStatus status;
    private String phase;
    private String workflowId;
    private int workflowVersion;

    Task() {
        // for Axon
    }

    @CommandHandler
    Task(CreateTaskCommand command, WorkflowCatalog workflows, TaskDirectory tasks) {
        WorkflowDefinition workflow = workflows.find(command.orgId(), command.workflowId(), command.workflowVersion())
                .orElseThrow(() -> Rejections.command("unknown_workflow", 422,
                        command.workflowVersion() == null
                                ? "Workflow '" + command.workflowId() + "' is not published."
                                : "Workflow '" + command.workflowId() + "' has no version " + command.workflowVersion() + "."));
        List<String> dependsOn = List.copyOf(new LinkedHashSet<>(command.dependsOn()));
        List<String> unknown = new ArrayList<>();
        for (String dependency : dependsOn) {
            if (dependency.equals(command.taskId())
                    || !tasks.organisationOf(dependency).map(command.orgId()::equals).orElse(false)) {
                unknown.add(dependency);
            }
        }
        if (!unknown.isEmpty()) {
            throw Rejections.command("unknown_dependency", 422,
                    "The task depends on tasks that do not exist: " + String.join(", ", unknown) + ".",
                    Map.of("unknown_dependencies", unknown));
        }
        apply(new TaskCreatedEvent(command.taskId(), command.orgId(), command.projectId(), command.title(),
                command.description(), workflow.id(), workflow.version(), workflow.initialPhase(), dependsOn,
                List.copyOf(new LinkedHashSet<>(command.requiredCapabilities())), command.priority(),
                command.createdBy(), GenericEventMessage.clock.instant()));
    }

    @EventSourcingHandler
    void on(TaskCreatedEvent event) {
        taskId = event.taskId();
        orgId = event.orgId();
        status = TaskStatus.CREATED;
        phase = event.phase();
        workflowId = event.workflowId();
        workflowVersion = event.workflowVersion();
    }

    String orgId() {
        return orgId;
    }
}
