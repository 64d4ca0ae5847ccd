package io.phasegate.events.task;

import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * A reviewer (a human or an agent with the requested role, never the claimant) submits a verdict,
 * {@code approve} or {@code changes_requested}, on the open review round of the task.
 */
public record SubmitReviewCommand(@TargetAggregateIdentifier String taskId, String orgId, String reviewerId,
                                  Set<String> reviewerRoles, String verdict, String comments) {
    public SubmitReviewCommand {
        reviewerRoles = reviewerRoles == null ? Set.of() : Set.copyOf(reviewerRoles);
    }
}
