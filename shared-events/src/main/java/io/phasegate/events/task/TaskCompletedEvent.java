package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The task entered its workflow's terminal phase {@code phase}: it is completed, the claim ends, tokens are void. */
@Revision("1")
public record TaskCompletedEvent(String taskId, String orgId, String agentId, String workflowId, String phase,
                                 Instant completedAt) {
}
