package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A claim's lease ran out without renewal; the task is claimable again and the agent's tokens are void. */
@Revision("1")
public record TaskClaimExpiredEvent(String taskId, String orgId, String agentId, Instant leaseExpiredAt,
                                    Instant expiredAt) {
}
