package io.phasegate.events.tool;

import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A human grants ({@code grant} true) or denies a pending tool approval of the task. */
public record DecideToolApprovalCommand(@TargetAggregateIdentifier String taskId, String orgId, String approvalId,
                                        boolean grant, String deciderId, Set<String> deciderRoles, String comment) {
    public DecideToolApprovalCommand {
        deciderRoles = deciderRoles == null ? Set.of() : Set.copyOf(deciderRoles);
    }
}
