package io.phasegate.events.task;

import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Creates a task that follows a workflow version.
 *
 * @param workflowVersion a specific version, or {@code null} for the latest published one
 * @param priority        higher is picked first by claim-next
 */
public record CreateTaskCommand(
        @TargetAggregateIdentifier String taskId,
        String orgId,
        String projectId,
        String title,
        String description,
        String workflowId,
        Integer workflowVersion,
        List<String> dependsOn,
        List<String> requiredCapabilities,
        int priority,
        String createdBy) {

    public CreateTaskCommand {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requiredCapabilities = requiredCapabilities == null ? List.of() : List.copyOf(requiredCapabilities);
    }
}
