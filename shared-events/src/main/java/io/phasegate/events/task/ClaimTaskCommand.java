package io.phasegate.events.task;

import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * An agent claims a specific task. Exactly one claim wins: the task must be claimable (created, or released or
 * expired), its dependencies completed and the agent's capabilities must cover the task's required ones.
 *
 * @param completedDependencies the task's dependencies known to be completed (from the claimable-task query)
 */
public record ClaimTaskCommand(@TargetAggregateIdentifier String taskId, String orgId, String agentId,
                               List<String> capabilities, List<String> completedDependencies) {
    public ClaimTaskCommand {
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        completedDependencies = completedDependencies == null ? List.of() : List.copyOf(completedDependencies);
    }
}
