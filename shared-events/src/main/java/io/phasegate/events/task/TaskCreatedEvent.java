package io.phasegate.events.task;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/** A task was created in the initial phase of a specific workflow version. */
@Revision("1")
public record TaskCreatedEvent(
        String taskId,
        String orgId,
        String projectId,
        String title,
        String description,
        String workflowId,
        int workflowVersion,
        String phase,
        List<String> dependsOn,
        List<String> requiredCapabilities,
        int priority,
        String createdBy,
        Instant createdAt) {

    public TaskCreatedEvent {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requiredCapabilities = requiredCapabilities == null ? List.of() : List.copyOf(requiredCapabilities);
    }
}
