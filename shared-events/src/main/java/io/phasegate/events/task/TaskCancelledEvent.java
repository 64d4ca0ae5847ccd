package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The task was cancelled; {@code agentId} is the claimant at that moment, or null when it was not claimed. */
@Revision("1")
public record TaskCancelledEvent(String taskId, String orgId, String phase, String agentId, String reason,
                                 String cancelledBy, Instant cancelledAt) {
}
