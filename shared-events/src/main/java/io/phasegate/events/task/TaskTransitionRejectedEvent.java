package io.phasegate.events.task;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/**
 * A transition was refused with its blockers (SPEC §2.2: refusals are recorded for auditors and the gate block
 * rate). {@code artifactNames} names what was submitted; the documents are not kept. Nothing else about the task
 * changes: same phase, same token.
 */
@Revision("1")
public record TaskTransitionRejectedEvent(String taskId, String orgId, String agentId, String workflowId,
                                          int workflowVersion, String fromPhase, String targetPhase,
                                          List<String> artifactNames, List<TransitionBlocker> blockers,
                                          Instant rejectedAt) {
}
